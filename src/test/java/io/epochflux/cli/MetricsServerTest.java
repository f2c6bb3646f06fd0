package io.epochflux.cli;

import io.epochflux.metrics.PrometheusEndpoint;
import org.junit.jupiter.api.Test;

import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The command line's metrics server: its process, its logging. */
class MetricsServerTest {

    @Test
    void logsNoTraceWhenAScraperHangsUpMidResponse() throws Exception {
        try (MetricsServer server = MetricsServer.start(PrometheusEndpoint.LOOPBACK, 0)) {
            for (int i = 0; i < 20_000; i++) {
                // a response long enough to be cut off while the server writes it
                server.registry().counter("epochflux.test.filler", "i", Integer.toString(i)).increment();
            }
            Logger log = Logger.getLogger(PrometheusEndpoint.EXCHANGE_LOGGER);
            List<LogRecord> logged = Collections.synchronizedList(new ArrayList<>());
            Handler catcher = new Handler() {
                @Override
                public void publish(LogRecord r) {
                    logged.add(r);
                }

                @Override
                public void flush() {
                }

                @Override
                public void close() {
                }
            };
            log.addHandler(catcher);
            try {
                for (int i = 0; i < 5; i++) {
                    try (Socket s = new Socket("127.0.0.1", server.port())) {
                        s.getOutputStream().write("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                        s.getInputStream().read(); // the response has begun
                        s.setSoLinger(true, 0); // close with a reset, as a scraper that times out does
                    }
                }
                // the server notices the reset while writing; give it the time a scrape takes
                long deadline = System.nanoTime() + 1_000_000_000L;
                while (System.nanoTime() < deadline && logged.isEmpty()) {
                    Thread.onSpinWait();
                }
                assertEquals(List.of(), logged.stream().map(r -> r.getMessage() + ": " + r.getThrown()).toList());
                HttpResponse<Void> still = HttpClient.newHttpClient().send(
                        HttpRequest.newBuilder(URI.create(server.url())).build(), HttpResponse.BodyHandlers.discarding());
                assertEquals(200, still.statusCode(), "still serving");
            } finally {
                log.removeHandler(catcher);
            }
        }
    }
}
