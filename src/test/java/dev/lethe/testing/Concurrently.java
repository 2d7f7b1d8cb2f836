package dev.lethe.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;

/** Runs calls on threads of their own, released at the same moment, and returns their results in order. */
public final class Concurrently {

    private Concurrently() {}

    public static <T> List<T> run(List<Callable<T>> calls) {
        var barrier = new CyclicBarrier(calls.size());
        try (var pool = Executors.newFixedThreadPool(calls.size())) {
            var futures = calls.stream()
                    .map(call -> pool.submit(() -> {
                        barrier.await();
                        return call.call();
                    }))
                    .toList();
            var out = new ArrayList<T>();
            for (var f : futures) {
                try {
                    out.add(f.get());
                } catch (ExecutionException e) {
                    throw new AssertionError(e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError(e);
                }
            }
            return out;
        }
    }

    /** The same call {@code times} times at once. */
    public static <T> List<T> times(int times, Callable<T> call) {
        var calls = new ArrayList<Callable<T>>();
        for (int i = 0; i < times; i++) calls.add(call);
        return run(calls);
    }
}
