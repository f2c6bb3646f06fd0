package io.epochflux.stop;

import io.epochflux.train.EpochMetrics;
import io.epochflux.train.StopReason;
import io.epochflux.train.StopReport;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/** {@link StopRule#anyOf} and {@link StopRule#allOf}: several rules judged on each epoch together. */
final class Composite extends StopRule {

    enum Kind { ANY, ALL }

    private final Kind kind;
    private final List<StopRule> rules;

    Composite(Kind kind, StopRule... rules) {
        this.kind = kind;
        Objects.requireNonNull(rules, "rules");
        if (rules.length == 0) {
            throw new IllegalArgumentException("rules must not be empty: " + (kind == Kind.ANY ? "anyOf" : "allOf")
                    + " needs at least one rule");
        }
        List<StopRule> list = new ArrayList<>(rules.length);
        int restoring = 0;
        for (StopRule rule : rules) {
            list.add(Objects.requireNonNull(rule, "rule"));
            restoring += rule.restoringRules();
        }
        if (restoring > 1) {
            throw new IllegalArgumentException("at most one rule in a composition may restore weights, but " + restoring
                    + " do: set restoreBestWeights on one of them only");
        }
        this.rules = List.copyOf(list);
    }

    /** @return the composed rules, in argument order (so monitoring can find the monitored ones) */
    List<StopRule> rules() {
        return rules;
    }

    @Override
    int restoringRules() {
        return rules.stream().mapToInt(StopRule::restoringRules).sum();
    }

    @Override
    public boolean restoresWeights() {
        return restoringRules() > 0;
    }

    @Override
    public String describe() {
        return (kind == Kind.ANY ? "anyOf(" : "allOf(")
                + rules.stream().map(StopRule::describe).collect(Collectors.joining(", ")) + ")";
    }

    @Override
    protected Watch newWatch() {
        List<Watch> watches = new ArrayList<>(rules.size());
        for (StopRule rule : rules) {
            watches.add(rule.newWatch());
        }
        return watch(watches);
    }

    @Override
    protected Watch resume(RuleState saved, io.epochflux.train.RunLink link) {
        List<Watch> watches = new ArrayList<>(rules.size());
        for (int i = 0; i < rules.size(); i++) {
            String prefix = i + ".";
            RuleState.Builder part = RuleState.builder();
            saved.values().forEach((k, v) -> {
                if (k.startsWith(prefix)) {
                    part.put(k.substring(prefix.length()), v);
                }
            });
            if (rules.get(i).restoresWeights() && saved.weights().isPresent()) {
                part.weights(saved.weightsEpoch().getAsInt(), saved.weights().get());
            }
            RuleState mine = part.build();
            watches.add(mine.isEmpty() ? rules.get(i).newWatch() : rules.get(i).resume(mine, link));
        }
        return watch(watches);
    }

    private Watch watch(List<Watch> watches) {
        return new Watch() {
            @Override
            public RuleState save() {
                RuleState.Builder all = RuleState.builder();
                for (int i = 0; i < watches.size(); i++) {
                    RuleState part = watches.get(i).save();
                    String prefix = i + ".";
                    part.values().forEach((k, v) -> all.put(prefix + k, v));
                    if (part.weights().isPresent()) {
                        all.weights(part.weightsEpoch().getAsInt(), part.weights().get());
                    }
                }
                return all.build();
            }

            @Override
            public StopReport observe(EpochMetrics epoch) {
                List<StopReport> reports = new ArrayList<>(watches.size());
                for (Watch w : watches) {
                    // every rule sees every epoch, so each keeps its own count
                    reports.add(w.observe(epoch));
                }
                if (kind == Kind.ANY) {
                    for (StopReport r : reports) {
                        if (r != null) {
                            return r;
                        }
                    }
                    return null;
                }
                for (StopReport r : reports) {
                    if (r == null) {
                        return null;
                    }
                }
                return combine(epoch.epoch(), reports);
            }

            @Override
            public StopReport finish(StopReport report) {
                StopReport r = report;
                for (Watch w : watches) {
                    r = w.finish(r);
                }
                return r;
            }

            @Override
            public void end() {
                for (Watch w : watches) {
                    w.end();
                }
            }
        };
    }

    private StopReport combine(int epoch, List<StopReport> reports) {
        StopReason reason = reports.get(0).reason();
        for (StopReport r : reports) {
            if (!r.reason().equals(reason)) {
                reason = StopReason.ALL_CONDITIONS_MET;
                break;
            }
        }
        StopReport.Builder combined = StopReport.builder(reason, epoch)
                .rule(describe())
                .message("all rules agreed: " + reports.stream().map(StopReport::message).collect(Collectors.joining("; ")));
        for (StopReport r : reports) {
            if (r.bestEpoch().isPresent() && r.monitor().isPresent()) {
                combined.monitor(r.monitor().get()).best(r.bestEpoch().getAsInt(), r.bestValue().getAsDouble());
                break;
            }
        }
        return combined.build();
    }
}
