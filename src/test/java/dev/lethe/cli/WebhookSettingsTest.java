package dev.lethe.cli;

import static dev.lethe.testing.TestCli.lethe;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The webhook settings: a wrong value stops start-up naming the flag and its variable. */
class WebhookSettingsTest {

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aWebhooksAllowPrivateThatIsNotTrueOrFalseExitsWith2NamingTheFlagAndTheVariable() {
        Path dataDir = dir.resolve("data");
        var run = lethe("serve", "--webhooks-allow-private=perhaps", "--port", "0", "--data-dir", dataDir.toString());
        assertThat(run.exit()).as(run.toString()).isEqualTo(2);
        assertThat(run.err()).contains("--webhooks-allow-private / LETHE_WEBHOOKS_ALLOW_PRIVATE must be true or false");
        assertThat(dataDir).as("nothing was started").doesNotExist();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aPublicUrlThatIsNoHttpUrlExitsWith2NamingTheFlagAndTheVariable() {
        Path dataDir = dir.resolve("data");
        var run = lethe("serve", "--public-url", "lethe.example.com/", "--port", "0", "--data-dir", dataDir.toString());
        assertThat(run.exit()).as(run.toString()).isEqualTo(2);
        assertThat(run.err()).contains("--public-url / LETHE_PUBLIC_URL");
        assertThat(dataDir).as("nothing was started").doesNotExist();
    }
}
