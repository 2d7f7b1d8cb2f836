package dev.lethe.notices;

import dev.lethe.registry.Policy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What every notice states before its tables: who the controller is, how to reach them, and which
 * version of the policy the notice was printed from, in force since when.
 */
record Preamble(Notice.Controller controller, int policyVersion, Instant since, Instant asOf) {

    static Preamble of(Policy policy, NoticeContext context) {
        var c = policy.controller();
        String name = context.controllerOverride() != null ? context.controllerOverride() : c.name();
        return new Preamble(
                new Notice.Controller(name, c.contact(), c.address()),
                context.policyVersion(),
                context.policySince(),
                context.asOf());
    }

    String controllerName() {
        return controller.name();
    }

    /** A notice whose intro is {@code lead}, then the controller and the version sentences. */
    Notice notice(
            NoticeKind kind, String title, List<String> lead, List<Notice.Section> sections, List<String> footnotes) {
        var intro = new ArrayList<>(lead);
        String where = controller.address() == null ? "" : " (" + controller.address() + ")";
        intro.add("Data controller: " + controller.name() + where
                + ". Contact for questions and data-protection requests: " + controller.contact() + ".");
        intro.add("This notice is generated from version " + policyVersion + " of the data policy, in force since "
                + NoticeWords.since(since) + ", and changes whenever the policy does.");
        return new Notice(kind, title, controller, policyVersion, since, intro, sections, footnotes);
    }
}
