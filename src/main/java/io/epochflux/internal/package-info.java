/** Not API. Small utilities every package uses: atomic file writes, number formatting. */
package io.epochflux.internal;
