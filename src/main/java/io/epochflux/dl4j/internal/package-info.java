/** The DL4J adapter's parts: the two network kinds behind one interface, sessions, leases. Not API. */
package io.epochflux.dl4j.internal;
