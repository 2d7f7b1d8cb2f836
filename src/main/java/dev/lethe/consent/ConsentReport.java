package dev.lethe.consent;

/**
 * What consent did to an ingest request, for its answer: values not stored for want of a current
 * consent (a withdrawal, an objection, a minor, Global Privacy Control included), how many of the
 * request's people are minors, and whether a {@code Sec-GPC: 1} header was applied (recorded as an
 * objection to {@code targeting} and honoured).
 *
 * @param dropped values not stored for want of a current consent or because of an objection
 * @param minors people of the request below the digital age of consent of their country
 * @param gpc true when the request carried {@code Sec-GPC: 1} and it was applied
 */
public record ConsentReport(int dropped, int minors, boolean gpc) {

    public static final ConsentReport NONE = new ConsentReport(0, 0, false);

    /** Counts as an ingest request goes. */
    public static final class Tally {
        private int dropped;
        private int minors;
        private final boolean gpc;

        public Tally(boolean gpc) {
            this.gpc = gpc;
        }

        void dropped() {
            dropped++;
        }

        public void minor() {
            minors++;
        }

        public boolean gpc() {
            return gpc;
        }

        public ConsentReport report() {
            return new ConsentReport(dropped, minors, gpc);
        }
    }
}
