package dev.lethe.requests;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Requests as metrics: {@code lethe_requests_overdue{account}}, open requests past their due date
 * (DESIGN promise 7: overdue requests are visible), and {@code lethe_requests_total{type,outcome}},
 * requests received ({@code outcome="received"}) and closed, by outcome.
 */
public final class RequestMetrics {

    private final MeterRegistry registry;
    private final Map<String, AtomicLong> overdue = new ConcurrentHashMap<>();

    public RequestMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void received(String type) {
        count(type, "received");
    }

    void closed(String type, String outcome) {
        count(type, outcome == null ? "none" : outcome);
    }

    private void count(String type, String outcome) {
        Counter.builder("lethe_requests_total")
                .description("Data-subject requests received and closed, by type and outcome")
                .tag("type", type)
                .tag("outcome", outcome)
                .register(registry)
                .increment();
    }

    /** Sets every account's overdue count; accounts with none left go to zero. */
    void refresh(Supplier<Map<String, Long>> counts) {
        var now = counts.get();
        overdue.forEach((account, holder) -> holder.set(now.getOrDefault(account, 0L)));
        now.forEach((account, n) -> overdue.computeIfAbsent(account, a -> {
                    var holder = new AtomicLong();
                    Gauge.builder("lethe_requests_overdue", holder, AtomicLong::get)
                            .description("Open data-subject requests past their due date")
                            .tag("account", a)
                            .register(registry);
                    return holder;
                })
                .set(n));
    }
}
