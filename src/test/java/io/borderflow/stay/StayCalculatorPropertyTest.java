package io.borderflow.stay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The engine against the brute-force day-by-day model over thousands of seeded random histories, every rule. */
class StayCalculatorPropertyTest {
    private static final int HISTORIES = 2_000;

    static Stream<Arguments> rules() {
        return Stream.of(
                Arguments.of("kz-eaeu in force", StayRules.inForce(RuleFamily.KZ_EAEU)),
                Arguments.of("kz-eaeu in force, effective 26 Jan", StayRules.inForce(RuleFamily.KZ_EAEU)
                        .withEffectiveDate(LocalDate.of(2023, 1, 26))),
                Arguments.of("kz-eaeu in force, strict counting", StayRules.inForce(RuleFamily.KZ_EAEU)
                        .countingDaysBeforeEffectiveDate(true)),
                Arguments.of("kz-visa-free in force", StayRules.inForce(RuleFamily.KZ_VISA_FREE)),
                Arguments.of("schengen", StayRules.inForce(RuleFamily.SCHENGEN)),
                Arguments.of("what-if kz-eaeu-2022", StayRules.whatIf(RuleVersion.KZ_EAEU_2022)),
                Arguments.of("what-if kz-eaeu-2023", StayRules.whatIf(RuleVersion.KZ_EAEU_2023)),
                Arguments.of("what-if kz-visa-free-2023", StayRules.whatIf(RuleVersion.KZ_VISA_FREE_2023)),
                Arguments.of("what-if schengen", StayRules.whatIf(RuleVersion.SCHENGEN)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void controlMatchesTheBruteForceModel(String name, StayRules rules) {
        StayCalculator engine = new StayCalculator(rules);
        NaiveStayModel naive = NaiveStayModel.of(rules);
        RandomHistories gen = new RandomHistories(name.hashCode());
        int overstaying = 0;
        int withDeadline = 0;
        for (int i = 0; i < HISTORIES; i++) {
            RandomHistories.Case c = gen.control();
            TravelHistory h = c.history();
            StayStatus expected;
            try {
                expected = naive.control(h.stays(), c.permits(), c.day());
            } catch (NoRuleInForceException e) {
                assertThrows(NoRuleInForceException.class, () -> engine.control(h, c.day()), c::toString);
                continue;
            }
            StayStatus actual = engine.control(h, c.day());
            assertEquals(expected, actual, c::toString);
            overstaying += actual.overLimit() ? 1 : 0;
            withDeadline += actual.mustLeaveBy() != null ? 1 : 0;
        }
        // The generator must exercise the interesting cases, not only the quiet ones.
        assertTrue(withDeadline > HISTORIES / 10, name + ": " + withDeadline + " with a deadline");
        assertTrue(overstaying > 20, name + ": only " + overstaying + " overstaying");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void planningMatchesTheBruteForceModel(String name, StayRules rules) {
        StayCalculator engine = new StayCalculator(rules);
        NaiveStayModel naive = NaiveStayModel.of(rules);
        RandomHistories gen = new RandomHistories(name.hashCode() * 31L + 7);
        int zero = 0;
        for (int i = 0; i < HISTORIES; i++) {
            RandomHistories.Case c = gen.plan();
            TravelHistory h = c.history();
            StayPlan expected;
            try {
                expected = naive.plan(h.stays(), c.permits(), c.day());
            } catch (NoRuleInForceException e) {
                assertThrows(NoRuleInForceException.class, () -> engine.plan(h, c.day()), c::toString);
                continue;
            }
            StayPlan actual = engine.plan(h, c.day());
            assertEquals(expected, actual, c::toString);
            zero += Integer.valueOf(0).equals(actual.maxStayDays()) ? 1 : 0;
        }
        if (rules.forcedVersion().orElse(null) != RuleVersion.KZ_EAEU_2022) {
            // (a stay under the 2022 rule always gets its 90 days: re-entry resets)
            assertTrue(zero > 5, name + ": only " + zero + " plans with no day left");
        }
    }

    /** The answer on a day depends on nothing after it: stays added later change nothing. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void controlIgnoresStaysAfterTheDay(String name, StayRules rules) {
        StayCalculator engine = new StayCalculator(rules);
        RandomHistories gen = new RandomHistories(name.hashCode() + 99L);
        for (int i = 0; i < HISTORIES / 3; i++) {
            RandomHistories.Case c = gen.control();
            TravelHistory h = c.history();
            List<Stay> cut = new ArrayList<>();
            for (Stay s : h.stays()) {
                if (!s.entry().isAfter(c.day())) {
                    cut.add(s.exit() == null || s.exit().isAfter(c.day()) ? new Stay(s.entry(), c.day()) : s);
                }
            }
            TravelHistory truncated = TravelHistory.of(cut, c.permits());
            StayStatus full;
            try {
                full = engine.control(h, c.day());
            } catch (NoRuleInForceException e) {
                continue;
            }
            assertEquals(full, engine.control(truncated, c.day()), c::toString);
        }
    }

    /**
     * Planning and control agree: staying exactly the planned maximum is legal on every day and ends on its
     * must-leave-by date; one more day is an overstay.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void stayingThePlannedMaximumIsLegalAndOneMoreDayIsNot(String name, StayRules rules) {
        StayCalculator engine = new StayCalculator(rules);
        RandomHistories gen = new RandomHistories(name.hashCode() + 12345L);
        for (int i = 0; i < HISTORIES / 3; i++) {
            RandomHistories.Case c = gen.plan();
            StayPlan plan;
            try {
                plan = engine.plan(c.history(), c.day());
            } catch (NoRuleInForceException e) {
                continue;
            }
            if (plan.unlimited()) {
                continue;
            }
            int m = plan.maxStayDays();
            LocalDate enter = c.day();
            StayStatus oneMore = engine.control(c.history().with(Stay.open(enter)), enter.plusDays(m));
            assertTrue(oneMore.overLimit(), c + " plan " + plan + " then " + oneMore);
            if (m > 0) {
                StayStatus lastDay = engine.control(c.history().with(new Stay(enter, plan.lastDay())), plan.lastDay());
                assertFalse(lastDay.overLimit(), c + " " + lastDay);
                assertEquals(plan.overstayDays(), lastDay.overstayDays(), c + " " + lastDay);
                if (!lastDay.exempt()) {
                    assertEquals(plan.lastDay(), lastDay.mustLeaveBy(), c + " " + lastDay);
                }
            }
        }
    }
}
