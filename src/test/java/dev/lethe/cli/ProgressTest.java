package dev.lethe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** The progress display: a bar redrawn in place on a terminal, few plain lines in a log. */
class ProgressTest {

    @Test
    void onATerminalTheBarIsRedrawnInPlaceAndAPhaseChangeStartsANewLine() {
        var text = new StringWriter();
        var progress = new Progress(new PrintWriter(text), true);
        progress.show("previewing", 0, null);
        progress.show("previewing", 250, 1000L);
        progress.show("running", 1000, 1000L);
        progress.end();

        assertThat(text.toString())
                .isEqualTo("\r" + "previewing  0 rows"
                        + "\r" + "previewing  [#######.......................]  25%  250 / 1,000 rows"
                        + "\n\r" + "running     [##############################] 100%  1,000 / 1,000 rows"
                        + "\n");
    }

    @Test
    void inALogALineIsWrittenAtEachPhaseAndEachTenthNotAtEveryPoll() {
        var text = new StringWriter();
        var progress = new Progress(new PrintWriter(text), false);
        progress.show("running", 0, 1000L);
        for (long done = 1; done <= 1000; done++) progress.show("running", done, 1000L);
        progress.show("completed", 1000, 1000L);
        progress.end();

        var lines = text.toString().lines().toList();
        assertThat(lines).first().isEqualTo("running: 0 / 1,000 rows (0%)");
        assertThat(lines).contains("running: 500 / 1,000 rows (50%)").contains("completed: 1,000 / 1,000 rows (100%)");
        assertThat(lines)
                .as("one line per tenth and per phase, not one per poll")
                .hasSize(12);
        assertThat(text.toString()).doesNotContain("\r");
    }
}
