package io.epochflux.dl4j.internal;

import io.epochflux.nn.ModelLease;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.HashMap;
import java.util.Map;

/**
 * One {@link ModelLease} per DL4J network object, so that every handle on one network shares it.
 * Keyed by the network's identity (DL4J's {@code equals} compares parameters) and held weakly: a
 * network nobody uses any more takes its lease with it. Only the network's own users reach an
 * entry, so two users of the library cannot collide in it.
 */
public final class Leases {

    private static final ReferenceQueue<Object> GONE = new ReferenceQueue<>();
    private static final Map<Key, ModelLease> LEASES = new HashMap<>();

    private Leases() {
    }

    /**
     * Returns the lease of a network, making it on first use.
     *
     * @param network the network object
     * @return its lease
     */
    public static synchronized ModelLease of(Object network) {
        for (Object k; (k = GONE.poll()) != null; ) {
            LEASES.remove(k);
        }
        return LEASES.computeIfAbsent(new Key(network, GONE), k -> new ModelLease());
    }

    private static final class Key extends WeakReference<Object> {
        private final int hash;

        Key(Object referent, ReferenceQueue<Object> queue) {
            super(referent, queue);
            this.hash = System.identityHashCode(referent);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            if (this == o) {
                return true;
            }
            if (!(o instanceof Key k)) {
                return false;
            }
            Object mine = get();
            return mine != null && mine == k.get();
        }
    }
}
