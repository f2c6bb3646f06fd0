package io.epochflux.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import io.epochflux.cli.Main;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Kubernetes manifests of a sweep split across pods, checked as far as this machine allows (no cluster). */
class SweepJobTest {

    private static final Path K8S = Dashboard.ROOT.resolve("deploy/k8s");

    private static List<JsonNode> documents(String file) throws IOException {
        List<JsonNode> docs = new ArrayList<>();
        try (MappingIterator<JsonNode> it = Dashboard.YAML.readerFor(JsonNode.class).readValues(K8S.resolve(file).toFile())) {
            while (it.hasNext()) {
                docs.add(it.next());
            }
        }
        return docs;
    }

    private static JsonNode kind(List<JsonNode> docs, String kind) {
        return docs.stream().filter(d -> d.path("kind").asText().equals(kind)).findFirst().orElseThrow(
                () -> new AssertionError("no " + kind));
    }

    @Test
    void theJobIsIndexedOnePodPerShardEachWritingItsShardIntoTheSharedVolume() throws IOException {
        List<JsonNode> docs = documents("sweep-job.yaml");
        JsonNode job = kind(docs, "Job");
        assertEquals("batch/v1", job.path("apiVersion").asText());
        JsonNode spec = job.path("spec");
        assertEquals("Indexed", spec.path("completionMode").asText());
        int shards = spec.path("completions").asInt();
        assertTrue(shards >= 2, "completions: the number of shards");
        assertEquals(shards, spec.path("parallelism").asInt(), "every shard at once");
        JsonNode pod = spec.path("template").path("spec");
        assertTrue(List.of("Never", "OnFailure").contains(pod.path("restartPolicy").asText()), "Indexed Jobs need it");
        JsonNode container = pod.path("containers").get(0);
        List<String> args = new ArrayList<>();
        container.path("args").forEach(a -> args.add(a.asText()));
        assertEquals("sweep", args.get(0));
        assertTrue(args.contains("--shard=$(JOB_COMPLETION_INDEX)/" + shards), args.toString());
        String out = args.stream().filter(a -> a.startsWith("--out=")).findFirst().orElseThrow().substring(6);
        assertTrue(out.contains("$(JOB_COMPLETION_INDEX)"), "each shard its own folder: " + out);
        assertTrue(args.contains("--resume"), "a retried pod keeps its shard's finished trials");

        JsonNode mount = container.path("volumeMounts").get(0);
        assertTrue(out.startsWith(mount.path("mountPath").asText() + "/"), "--out lies on the volume");
        JsonNode volume = pod.path("volumes").get(0);
        assertEquals(mount.path("name").asText(), volume.path("name").asText());
        String claim = volume.path("persistentVolumeClaim").path("claimName").asText();
        JsonNode pvc = kind(docs, "PersistentVolumeClaim");
        assertEquals(claim, pvc.path("metadata").path("name").asText());
        assertEquals("ReadWriteMany", pvc.path("spec").path("accessModes").get(0).asText(), "all pods write to it");

        // the arguments parse as the command line would take them, with the index filled in
        List<String> concrete = args.stream().map(a -> a.replace("$(JOB_COMPLETION_INDEX)", "1")).toList();
        StringWriter err = new StringWriter();
        Main.commandLine().setErr(new PrintWriter(err)).parseArgs(concrete.toArray(String[]::new));
        assertEquals("", err.toString());

        // Prometheus finds the pods by DNS through a headless Service selecting them
        JsonNode service = kind(docs, "Service");
        assertEquals("None", service.path("spec").path("clusterIP").asText());
        JsonNode labels = spec.path("template").path("metadata").path("labels");
        service.path("spec").path("selector").fields().forEachRemaining(e ->
                assertEquals(e.getValue().asText(), labels.path(e.getKey()).asText(), "the Service selects the pods"));
        assertTrue(args.contains("--metrics-port=" + service.path("spec").path("ports").get(0).path("port").asInt()));
        JsonNode scrape = Dashboard.YAML.readTree(K8S.resolve("prometheus-scrape.yaml").toFile());
        String name = scrape.path("scrape_configs").get(0).path("dns_sd_configs").get(0).path("names").get(0).asText();
        assertTrue(name.startsWith(service.path("metadata").path("name").asText() + "."), name);
    }

    @Test
    void theMergeJobReadsEveryShardFromTheSameVolume() throws IOException {
        JsonNode shardJob = kind(documents("sweep-job.yaml"), "Job");
        int shards = shardJob.path("spec").path("completions").asInt();
        JsonNode merge = kind(documents("sweep-merge-job.yaml"), "Job");
        List<String> args = new ArrayList<>();
        merge.path("spec").path("template").path("spec").path("containers").get(0).path("args").forEach(a -> args.add(a.asText()));
        assertEquals(List.of("sweep", "merge"), args.subList(0, 2));
        for (int i = 0; i < shards; i++) {
            assertTrue(args.contains("/results/shard-" + i), args.toString());
        }
        assertEquals(shardJob.path("spec").path("template").path("spec").path("volumes").get(0).path("persistentVolumeClaim"),
                merge.path("spec").path("template").path("spec").path("volumes").get(0).path("persistentVolumeClaim"));
    }
}
