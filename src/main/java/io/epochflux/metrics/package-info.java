/**
 * Live monitoring: {@link io.epochflux.metrics.TrainingMetrics} publishes a training stream to any
 * Micrometer registry under the names of {@link io.epochflux.metrics.MeterNames}, and
 * {@link io.epochflux.metrics.PrometheusEndpoint} serves a Prometheus registry at
 * {@code /metrics} for Prometheus and the provisioned Grafana dashboard.
 */
package io.epochflux.metrics;
