package dev.lethe.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lethe.accounts.RetentionExtension;
import dev.lethe.errors.FieldError;
import dev.lethe.testing.TestPolicies;
import java.time.Instant;
import java.time.Period;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The rules of {@link OperatorBounds}, on policies read from text. */
class OperatorBoundsTest {

    static final String DEFAULT = TestPolicies.PLATFORM_DEFAULT;

    static final Policy PLATFORM = read(DEFAULT);

    @Test
    void renamingARecordDoesNotEscapeTheLimitOfItsKind() {
        var renamed = read(DEFAULT.replace(
                "profile: { kind: profile, retention: { period: P30D",
                "customer_profile: { kind: profile, retention: { period: P10Y"));

        var errors = OperatorBounds.violations(renamed, PLATFORM, List.of());

        assertThat(errors).extracting(e -> e.path()).contains("records.customer_profile.retention.period");
    }

    @Test
    void withoutAPlatformDefaultNothingIsBounded() {
        assertThat(OperatorBounds.violations(read(DEFAULT.replace("P3Y", "P50Y")), null, List.of()))
                .isEmpty();
    }

    @Test
    void theDefaultItselfIsWithinBounds() {
        assertThat(OperatorBounds.violations(PLATFORM, PLATFORM, List.of())).isEmpty();
    }

    @Test
    void periodsAreComparedByLengthNotBySpelling() {
        assertThat(violations(DEFAULT.replace("period: P3Y", "period: P36M"))).isEmpty();
        assertThat(violations(DEFAULT.replace("inactive P18M", "inactive P1Y6M")))
                .isEmpty();
        assertThat(paths(DEFAULT.replace("period: P3Y", "period: P1096D")))
                .containsExactly("categories.email_address.retention.period");
    }

    @Test
    void aPeriodInMonthsIsWithinABoundInDaysOnlyIfItIsFromEveryDay() {
        var sixtyDays = read(DEFAULT.replace("period: P120D, after: collected", "period: P60D, after: collected"));

        var twoMonths = read(DEFAULT.replace("period: P120D, after: collected", "period: P2M, after: collected"));
        var fiftyNineDays = read(DEFAULT.replace("period: P120D, after: collected", "period: P59D, after: collected"));

        assertThat(OperatorBounds.violations(twoMonths, sixtyDays, List.of()))
                .as("two months from 1 July are 62 days")
                .extracting(FieldError::path)
                .containsExactly("categories.ip_address.retention.period");
        assertThat(OperatorBounds.violations(sixtyDays, twoMonths, List.of()))
                .as("two months from 1 February 2025 are 59 days")
                .extracting(FieldError::path)
                .containsExactly("categories.ip_address.retention.period");
        assertThat(OperatorBounds.violations(fiftyNineDays, twoMonths, List.of()))
                .isEmpty();
    }

    @Test
    void recordsOfAKindTheDefaultDoesNotGovernAreNotBounded() {
        String withMore =
                DEFAULT.replace("  profile:", "  invoice: { kind: document, retention: { period: P10Y } }\n  profile:");

        assertThat(violations(withMore)).isEmpty();
    }

    @Test
    void aCategoryTheDefaultDoesNotNameIsBoundedByItsLongestCategorySoRenamingDoesNotEscape() {
        String renamed = DEFAULT.replace("  email_address:", "  email:")
                .replace("traits.email: email_address", "traits.email: email")
                .replace("period: P3Y", "period: P50Y");
        String withinBound = DEFAULT.replace(
                "fields:",
                "  loyalty_number: { purpose: loyalty, lawfulBasis: contract, source: api, subjects: [visitor], retention: { period: P2Y } }\nfields:");

        assertThat(paths(renamed)).containsExactly("categories.email.retention.period");
        assertThat(violations(withinBound)).isEmpty();
    }

    @Test
    void leavingOutTheDefaultsShorterOverrideForOneSubjectTypeIsRefused() {
        var platform = read(
                DEFAULT.replace(
                        "    retention: { period: P3Y, after: collected }\n",
                        "    retention: { period: P3Y, after: collected }\n    bySubject:\n      manager: { retention: { period: P30D } }\n"));

        assertThat(OperatorBounds.violations(PLATFORM, platform, List.of()))
                .extracting(e -> e.path())
                .containsExactly("categories.email_address.retention.period");
    }

    @Test
    void anExtensionRaisesThePeriodButNotTheTriggerLimits() {
        var extension = extension("records.profile", Period.ofYears(1));
        var dropsInactivity = read(DEFAULT.replace("after: [contract_ended, inactive P18M]", "after: contract_ended"));

        assertThat(OperatorBounds.violations(dropsInactivity, PLATFORM, List.of(extension)))
                .extracting(e -> e.path())
                .containsExactly("records.profile.retention.after");
    }

    @Test
    void aLongerRetentionForOneSubjectTypeIsNamedAtItsOverride() {
        String overridden = DEFAULT.replace(
                "    retention: { period: P3Y, after: collected }\n",
                "    retention: { period: P3Y, after: collected }\n    bySubject:\n      manager: { retention: { period: P4Y } }\n");

        assertThat(paths(overridden)).containsExactly("categories.email_address.bySubject.manager.retention.period");
    }

    @Test
    void countingFromCollectionInsteadOfInactivityOrAContractEndIsNeverLonger() {
        assertThat(violations(DEFAULT.replace("[contract_ended, inactive P18M]", "collected")))
                .isEmpty();
        assertThat(violations(DEFAULT.replace("[contract_ended, inactive P18M]", "[collected, inactive P24M]")))
                .isEmpty();
    }

    @Test
    void countingFromCollectionInsteadOfTheConversationStartKeepsLaterMessagesLonger() {
        var errors = OperatorBounds.violations(
                read(DEFAULT.replace("after: conversation_started", "after: collected")), PLATFORM, List.of());

        assertThat(errors).extracting(FieldError::path).containsExactly("records.chat_content.retention.after");
        assertThat(errors.get(0).message()).contains("conversation_started");
    }

    @Test
    void aTriggerThatComesLaterThanTheDefaultsIsRefused() {
        assertThat(paths(DEFAULT.replace("period: P3Y, after: collected", "period: P3Y, after: contract_ended")))
                .containsExactly("categories.email_address.retention.after");
    }

    @Test
    void anExtensionRaisesTheLimitOnlyForItsTargetAndUpToItsPeriod() {
        var extension = extension("categories.email_address", Period.ofYears(5));

        assertThat(OperatorBounds.violations(
                        read(DEFAULT.replace("period: P3Y", "period: P5Y")), PLATFORM, List.of(extension)))
                .isEmpty();
        assertThat(OperatorBounds.violations(
                        read(DEFAULT.replace("period: P3Y", "period: P6Y")), PLATFORM, List.of(extension)))
                .extracting(FieldError::path)
                .containsExactly("categories.email_address.retention.period");
        assertThat(OperatorBounds.violations(
                        read(DEFAULT.replace("period: P30D", "period: P60D")), PLATFORM, List.of(extension)))
                .extracting(FieldError::path)
                .containsExactly("records.profile.retention.period");
    }

    @Test
    void anExtensionShorterThanTheDefaultDoesNotLowerTheLimit() {
        var extension = extension("categories.email_address", Period.ofYears(1));

        assertThat(OperatorBounds.violations(PLATFORM, PLATFORM, List.of(extension)))
                .isEmpty();
    }

    static RetentionExtension extension(String target, Period max) {
        return new RetentionExtension(
                "acc_zebulon",
                target,
                max,
                "statutory bookkeeping",
                "bootstrap",
                Instant.parse("2026-01-15T09:00:00Z"));
    }

    static List<FieldError> violations(String proposed) {
        return OperatorBounds.violations(read(proposed), PLATFORM, List.of());
    }

    static List<String> paths(String proposed) {
        return violations(proposed).stream().map(FieldError::path).toList();
    }

    static Policy read(String text) {
        var result = PolicyReader.read(text);
        assertThat(result.errors()).as("the test policy itself must be valid").isEmpty();
        return result.policy();
    }
}
