package io.borderflow.stay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Hand-written cases: the EU short-stay calculator's conventions and the Kazakh rules. */
class StayCalculatorTest {
    static final StayCalculator SCHENGEN = new StayCalculator(StayRules.inForce(RuleFamily.SCHENGEN));
    static final StayCalculator EAEU = StayCalculator.forCitizenship(CitizenshipClass.EAEU);
    static final StayCalculator VISA_FREE = StayCalculator.forCitizenship(CitizenshipClass.VISA_FREE);

    static LocalDate d(String s) {
        return LocalDate.parse(s);
    }

    /** "2024-01-01/2024-01-10", or "2024-06-01/" for an open stay. */
    static Stay stay(String range) {
        String[] p = range.split("/", -1);
        return new Stay(d(p[0]), p[1].isEmpty() ? null : d(p[1]));
    }

    static PermitPeriod permit(String range) {
        String[] p = range.split("/", -1);
        return new PermitPeriod(d(p[0]), p[1].isEmpty() ? null : d(p[1]));
    }

    static TravelHistory h(String... stays) {
        List<Stay> list = new ArrayList<>();
        for (String s : stays) {
            list.add(stay(s));
        }
        return TravelHistory.of(list);
    }

    static TravelHistory h(List<String> permits, String... stays) {
        List<PermitPeriod> ps = new ArrayList<>();
        for (String p : permits) {
            ps.add(permit(p));
        }
        return TravelHistory.of(h(stays).stays(), ps);
    }

    // ---- Schengen conventions (EU short-stay calculator) ----

    @Test
    void ninetyDaysExactlyIsLegalAndDay91IsAnOverstay() {
        StayStatus s = SCHENGEN.control(h("2024-01-01/2024-03-30"), d("2024-03-30"));
        assertEquals(RuleVersion.SCHENGEN, s.rule());
        assertEquals(d("2023-10-03"), s.windowStart());
        assertEquals(90, s.daysUsed());
        assertEquals(0, s.daysRemaining());
        assertEquals(0, s.overstayDays());
        assertFalse(s.overLimit());
        assertEquals(d("2024-03-30"), s.mustLeaveBy());

        StayStatus day91 = SCHENGEN.control(h("2024-01-01/2024-03-31"), d("2024-03-31"));
        assertEquals(91, day91.daysUsed());
        assertEquals(0, day91.daysRemaining());
        assertEquals(1, day91.overstayDays());
        assertTrue(day91.overLimit());
        assertEquals(d("2024-03-30"), day91.mustLeaveBy(), "the last legal day, already past");
    }

    @Test
    void anOngoingStayGetsItsDeadline() {
        StayStatus s = SCHENGEN.control(h("2024-01-01/"), d("2024-02-01"));
        assertTrue(s.present());
        assertEquals(d("2024-01-01"), s.stayEntry());
        assertEquals(32, s.daysUsed());
        assertEquals(32, s.stayDays());
        assertEquals(58, s.daysRemaining());
        assertEquals(d("2024-03-30"), s.mustLeaveBy());
    }

    @Test
    void aSameDayEntryAndExitIsOneDay() {
        StayStatus on = SCHENGEN.control(h("2024-05-05/2024-05-05"), d("2024-05-05"));
        assertEquals(1, on.daysUsed());
        assertTrue(on.present());
        StayStatus later = SCHENGEN.control(h("2024-05-05/2024-05-05"), d("2024-05-10"));
        assertEquals(1, later.daysUsed());
        assertEquals(89, later.daysRemaining());
        assertFalse(later.present());
        assertNull(later.mustLeaveBy(), "not in the country");
        assertNull(later.stayEntry());
    }

    @Test
    void touchingStaysCountTheSharedDateOnce() {
        StayStatus s = SCHENGEN.control(h("2024-01-01/2024-01-10", "2024-01-10/2024-01-20"), d("2024-01-20"));
        assertEquals(20, s.daysUsed());
        assertEquals(d("2024-01-10"), s.stayEntry(), "the later of two touching stays is the current one");
        assertEquals(11, s.stayDays());
    }

    @Test
    void daysLeaveTheWindowAfter180Days() {
        TravelHistory full = h("2024-01-01/2024-03-30");
        StayPlan day91 = SCHENGEN.plan(full, d("2024-06-28"));
        assertEquals(d("2024-01-01"), day91.windowStart());
        assertEquals(90, day91.daysUsed());
        assertEquals(0, day91.daysRemaining());
        assertEquals(0, day91.maxStayDays(), "2024-06-28 is day 180 of the period that starts with the first day");
        assertNull(day91.lastDay());

        StayPlan nextDay = SCHENGEN.plan(full, d("2024-06-29"));
        assertEquals(89, nextDay.daysUsed());
        assertEquals(90, nextDay.maxStayDays(), "one old day leaves the period for every new one");
        assertEquals(d("2024-09-26"), nextDay.lastDay());
    }

    @Test
    void severalTripsAddUpOverTheRollingPeriod() {
        TravelHistory trips = h("2024-01-10/2024-02-08", "2024-03-01/2024-03-31", "2024-05-01/");
        StayStatus s = SCHENGEN.control(trips, d("2024-06-15"));
        assertEquals(d("2023-12-19"), s.windowStart());
        assertEquals(30 + 31 + 46, s.daysUsed());
        assertEquals(17, s.overstayDays(), "30 May (day 91) to 15 June");
        assertTrue(s.overLimit());
        assertEquals(d("2024-05-29"), s.mustLeaveBy());

        StayPlan plan = SCHENGEN.plan(h("2024-01-10/2024-02-08", "2024-03-01/2024-03-31"), d("2024-05-01"));
        assertEquals(61, plan.daysUsed());
        assertEquals(29, plan.daysRemaining());
        assertEquals(29, plan.maxStayDays());
        assertEquals(d("2024-05-29"), plan.lastDay());
        assertEquals(plan.lastDay(), SCHENGEN.control(trips, d("2024-05-10")).mustLeaveBy());
    }

    @Test
    void daysUnderAPermitDoNotCount() {
        TravelHistory withPermit = h(List.of("2024-02-01/2024-02-29"), "2024-01-01/");
        StayStatus s = SCHENGEN.control(withPermit, d("2024-04-28"));
        assertEquals(31 + 31 + 28, s.daysUsed());
        assertFalse(s.overLimit());
        assertFalse(s.exempt());
        assertEquals(d("2024-04-28"), s.mustLeaveBy());
        assertEquals(d("2024-03-30"), SCHENGEN.control(h("2024-01-01/"), d("2024-04-28")).mustLeaveBy(), "without the permit");

        StayStatus during = SCHENGEN.control(withPermit, d("2024-02-10"));
        assertTrue(during.exempt());
        assertEquals(31, during.daysUsed());
        assertNull(during.mustLeaveBy(), "exempt: no deadline");
        assertEquals(0, during.overstayDays());
    }

    @Test
    void anOpenPermitBeforeTheLimitMeansNoDeadline() {
        StayStatus s = EAEU.control(h(List.of("2024-02-01/"), "2024-01-01/"), d("2024-01-15"));
        assertNull(s.mustLeaveBy());
        assertEquals(75, s.daysRemaining());
        StayStatus late = EAEU.control(h(List.of("2024-04-15/"), "2024-01-01/"), d("2024-01-15"));
        assertEquals(d("2024-03-30"), late.mustLeaveBy(), "the permit comes after day 90");

        StayPlan plan = EAEU.plan(h(List.of("2024-03-01/")), d("2024-02-01"));
        assertTrue(plan.unlimited());
        assertNull(plan.maxStayDays());
        assertNull(plan.lastDay());
    }

    @Test
    void absentTravellersHaveNoDeadline() {
        StayStatus nobody = EAEU.control(h(), d("2024-01-15"));
        assertEquals(RuleVersion.KZ_EAEU_2023, nobody.rule());
        assertFalse(nobody.present());
        assertEquals(0, nobody.daysUsed());
        assertEquals(90, nobody.daysRemaining());
        assertNull(nobody.mustLeaveBy());
        StayStatus before = VISA_FREE.control(h("2024-03-01/2024-03-05"), d("2024-02-01"));
        assertEquals(0, before.daysUsed());
        assertEquals(30, before.daysRemaining(), "per entry");
    }

    // ---- Kazakh rules ----

    @Test
    void visaFreeForeignersGet30DaysPerEntry() {
        StayStatus day30 = VISA_FREE.control(h("2024-03-01/"), d("2024-03-30"));
        assertEquals(RuleVersion.KZ_VISA_FREE_2023, day30.rule());
        assertFalse(day30.overLimit());
        assertEquals(d("2024-03-30"), day30.mustLeaveBy());
        assertEquals(0, day30.daysRemaining());
        assertEquals(30, day30.daysUsed(), "the 180-day count");
        StayStatus day31 = VISA_FREE.control(h("2024-03-01/"), d("2024-03-31"));
        assertTrue(day31.overLimit());
        assertEquals(1, day31.overstayDays());

        // Three 30-day trips: the third reaches the 90-in-180 cap; a fourth entry is refused.
        TravelHistory three = h("2024-01-01/2024-01-30", "2024-02-10/2024-03-10", "2024-03-20/2024-04-18");
        assertEquals(0, VISA_FREE.control(three, d("2024-04-18")).overstayDays());
        StayPlan fourth = VISA_FREE.plan(three, d("2024-05-01"));
        assertEquals(90, fourth.daysUsed());
        assertEquals(0, fourth.maxStayDays());
    }

    @Test
    void thePerStayCountPausesDuringAPermitButDoesNotReset() {
        // 61 days (March, April), a permit for the rest of 2023, then January 2024: day 90 of the stay on 29 Jan.
        TravelHistory h = h(List.of("2023-05-01/2023-12-31"), "2023-03-01/");
        StayStatus jan29 = EAEU.control(h, d("2024-01-29"));
        assertEquals(90, jan29.stayDays());
        assertEquals(29, jan29.daysUsed(), "180-day count");
        assertEquals(d("2024-01-29"), jan29.mustLeaveBy(), "the per-stay limit binds, not the cap");
        assertTrue(EAEU.control(h, d("2024-01-30")).overLimit());
        assertFalse(SCHENGEN.control(h, d("2024-01-30")).overLimit(), "Schengen has no per-stay limit");
    }

    @Test
    void visaRunsResetTheClockUnderThe2022RuleButNotUnder2023() {
        TravelHistory runs = h("2022-01-01/2022-03-31", "2022-04-02/2022-06-30", "2022-07-02/2022-09-29");
        StayStatus in2022 = EAEU.control(runs, d("2022-09-29"));
        assertEquals(RuleVersion.KZ_EAEU_2022, in2022.rule());
        assertFalse(in2022.whatIf());
        assertEquals(0, in2022.overstayDays());
        assertEquals(90, in2022.daysUsed(), "days of the current stay");
        assertEquals(d("2022-07-02"), in2022.windowStart(), "the current stay's entry");
        assertEquals(0, in2022.daysRemaining());
        assertEquals(d("2022-09-29"), in2022.mustLeaveBy());
        assertEquals(90, EAEU.plan(runs, d("2022-10-01")).maxStayDays(), "another run, another 90 days");

        StayCalculator whatIf = new StayCalculator(StayRules.whatIf(RuleVersion.KZ_EAEU_2023));
        StayStatus as2023 = whatIf.control(runs, d("2022-09-29"));
        assertEquals(RuleVersion.KZ_EAEU_2023, as2023.rule());
        assertTrue(as2023.whatIf());
        assertEquals(d("2022-04-03"), as2023.windowStart());
        assertEquals(179, as2023.daysUsed());
        assertEquals(180, as2023.overstayDays(), "every day of the second and third stay");
        assertEquals(d("2022-07-01"), as2023.mustLeaveBy(), "the day out before the third stay: it should not have begun");
        assertEquals(0, whatIf.plan(runs, d("2022-10-01")).maxStayDays());
    }

    @Test
    void aStayThatBeganBeforeTheChangeStaysUnderThe2022Rule() {
        TravelHistory straddling = h("2022-08-01/2022-10-29", "2022-11-01/");
        StayStatus jan27 = EAEU.control(straddling, d("2023-01-27"));
        assertEquals(RuleVersion.KZ_EAEU_2022, jan27.rule(), "governed by the rule in force on its entry day");
        assertEquals(88, jan27.daysUsed());
        assertEquals(2, jan27.daysRemaining());
        assertEquals(d("2023-01-29"), jan27.mustLeaveBy(), "90 days from the entry, not cut short by the cap");
        assertEquals(0, EAEU.control(straddling, d("2023-01-29")).overstayDays());
        StayStatus feb5 = EAEU.control(straddling, d("2023-02-05"));
        assertEquals(7, feb5.overstayDays());
        assertEquals(d("2023-01-29"), feb5.mustLeaveBy());
        // The same history under the 2023 rule as if always in force: the second stay is illegal from day 1.
        StayStatus whatIf = new StayCalculator(StayRules.whatIf(RuleVersion.KZ_EAEU_2023)).control(straddling, d("2023-01-29"));
        assertEquals(90, whatIf.overstayDays());
        // Strict counting changes nothing for the grandfathered stay itself.
        StayCalculator strict = new StayCalculator(StayRules.forCitizenship(CitizenshipClass.EAEU).countingDaysBeforeEffectiveDate(true));
        assertEquals(0, strict.control(straddling, d("2023-01-29")).overstayDays());
    }

    @Test
    void theFirstEntryAfterTheChangeIsUnderThe2023RuleCountingFromTheEffectiveDate() {
        TravelHistory before = h("2022-08-01/2022-10-29", "2022-11-01/2023-01-29");
        StayPlan plan = EAEU.plan(before, d("2023-02-01"));
        assertEquals(RuleVersion.KZ_EAEU_2023, plan.rule());
        assertEquals(d("2022-08-06"), plan.windowStart());
        assertEquals(3, plan.daysUsed(), "27-29 Jan count; days before the effective date do not");
        assertEquals(87, plan.maxStayDays());
        assertEquals(d("2023-04-28"), plan.lastDay());
        assertEquals(0, plan.overstayDays());

        StayCalculator strict = new StayCalculator(StayRules.forCitizenship(CitizenshipClass.EAEU).countingDaysBeforeEffectiveDate(true));
        StayPlan strictPlan = strict.plan(before, d("2023-02-01"));
        assertEquals(85 + 90, strictPlan.daysUsed());
        assertEquals(0, strictPlan.maxStayDays(), "strict counting: the 2022 days fill the period");
        assertEquals(0, new StayCalculator(StayRules.whatIf(RuleVersion.KZ_EAEU_2023)).plan(before, d("2023-02-01")).maxStayDays());
    }

    @Test
    void theEffectiveDateIsAParameter() {
        StayRules jan26 = StayRules.forCitizenship(CitizenshipClass.EAEU).withEffectiveDate(d("2023-01-26"));
        assertEquals(d("2023-01-26"), jan26.effectiveDate());
        TravelHistory enteredOn26 = h("2023-01-26/");
        assertEquals(RuleVersion.KZ_EAEU_2022, EAEU.control(enteredOn26, d("2023-03-01")).rule());
        assertEquals(RuleVersion.KZ_EAEU_2023, new StayCalculator(jan26).control(enteredOn26, d("2023-03-01")).rule());

        TravelHistory shortTrip = h("2023-01-20/2023-01-26");
        assertEquals(90, EAEU.plan(shortTrip, d("2023-02-01")).maxStayDays());
        StayPlan from26 = new StayCalculator(jan26).plan(shortTrip, d("2023-02-01"));
        assertEquals(1, from26.daysUsed(), "26 Jan now counts");
        assertEquals(89, from26.maxStayDays());

        assertThrows(NoRuleInForceException.class, () -> VISA_FREE.control(enteredOn26, d("2023-03-01")));
        StayStatus vf = new StayCalculator(StayRules.forCitizenship(CitizenshipClass.VISA_FREE)
                .withEffectiveDate(d("2023-01-26"))).control(enteredOn26, d("2023-02-24"));
        assertEquals(RuleVersion.KZ_VISA_FREE_2023, vf.rule());
        assertEquals(d("2023-02-24"), vf.mustLeaveBy(), "day 30");
    }

    @Test
    void visaFreeHasNoRuleBeforeTheChangeUnlessForced() {
        NoRuleInForceException e = assertThrows(NoRuleInForceException.class,
                () -> VISA_FREE.control(h("2022-10-01/"), d("2022-10-10")));
        assertTrue(e.getMessage().contains("kz-visa-free-2023") && e.getMessage().contains("2023-01-27"), e.getMessage());
        assertThrows(NoRuleInForceException.class, () -> VISA_FREE.plan(h(), d("2022-10-10")));
        StayStatus forced = new StayCalculator(StayRules.whatIf(RuleVersion.KZ_VISA_FREE_2023)).control(h("2022-10-01/"), d("2022-10-10"));
        assertEquals(d("2022-10-30"), forced.mustLeaveBy());
        // A pre-2023 visa-free stay is judged by nothing, and its days before the change do not count.
        StayStatus after = VISA_FREE.control(h("2022-10-01/2022-12-31", "2023-02-01/"), d("2023-02-10"));
        assertEquals(0, after.overstayDays());
        assertEquals(10, after.daysUsed());
    }

    @Test
    void controlUsesOnlyDataUpToTheDay() {
        TravelHistory h = h("2024-01-01/2024-01-31", "2024-03-01/2024-03-10");
        StayStatus s = EAEU.control(h, d("2024-01-15"));
        assertEquals(15, s.daysUsed());
        assertEquals(d("2024-03-30"), s.mustLeaveBy(), "the recorded exit lies in the future of that day");
    }

    @Test
    void rulesByName() {
        assertEquals(RuleFamily.KZ_VISA_FREE, RuleFamily.fromId("kz-visa-free"));
        assertEquals(RuleVersion.KZ_EAEU_2023, RuleVersion.fromId("kz-eaeu-2023"));
        assertEquals(RuleFamily.KZ_EAEU, RuleVersion.KZ_EAEU_2022.family());
        assertEquals(RuleVersion.KZ_EAEU_2022, RuleFamily.KZ_EAEU.versionOn(d("2023-01-26"), StayRules.DEFAULT_EFFECTIVE_DATE).orElseThrow());
        assertEquals(RuleVersion.KZ_EAEU_2023, RuleFamily.KZ_EAEU.versionOn(d("2023-01-27"), StayRules.DEFAULT_EFFECTIVE_DATE).orElseThrow());
        assertTrue(RuleFamily.KZ_VISA_FREE.versionOn(d("2023-01-26"), StayRules.DEFAULT_EFFECTIVE_DATE).isEmpty());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RuleFamily.fromId("eaeu"));
        assertTrue(e.getMessage().contains("schengen, kz-eaeu, kz-visa-free"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RuleVersion.fromId("kz-eaeu-2024"));
    }

    // ---- invalid input ----

    @Test
    void invalidInputIsAClearOneLineError() {
        assertMessage("stays overlap: 2024-01-01/2024-01-10 and 2024-01-05/2024-01-20",
                () -> h("2024-01-05/2024-01-20", "2024-01-01/2024-01-10"));
        assertMessage("stays overlap: 2024-01-01/ has no exit but 2024-02-01/2024-02-05 starts after it",
                () -> h("2024-01-01/", "2024-02-01/2024-02-05"));
        assertMessage("stays overlap: 2024-01-01/2024-01-10 and 2024-01-01/2024-01-10",
                () -> h("2024-01-01/2024-01-10", "2024-01-01/2024-01-10"));
        assertMessage("stay 2024-01-10/2024-01-01 ends (2024-01-01) before it starts (2024-01-10)",
                () -> stay("2024-01-10/2024-01-01"));
        assertMessage("permit 2024-01-10/2024-01-01 ends (2024-01-01) before it starts (2024-01-10)",
                () -> permit("2024-01-10/2024-01-01"));
        assertMessage("cannot plan an entry on 2024-02-01: stay 2024-01-01/ has no exit (the traveller is still in the country)",
                () -> EAEU.plan(h("2024-01-01/"), d("2024-02-01")));
        assertMessage("cannot plan an entry on 2024-02-01: stay 2024-01-20/2024-02-05 ends after it",
                () -> EAEU.plan(h("2024-01-20/2024-02-05"), d("2024-02-01")));
        assertMessage("stay entry 0024-01-01 is out of range (years 1000-9000)", () -> stay("0024-01-01/"));
        // Same-day trips and touching stays are fine.
        assertEquals(2, h("2024-01-01/2024-01-01", "2024-01-01/2024-01-01", "2024-01-01/2024-01-05").stays().size() - 1);
    }

    private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertEquals(expected, e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void aLongHistoryIsEvaluatedInLinearTime() {
        // Ten years of monthly two-week trips: 240 stays. 5,000 control and planning calls must be quick.
        List<Stay> stays = new ArrayList<>();
        LocalDate cursor = d("2014-01-01");
        for (int i = 0; i < 240; i++) {
            stays.add(new Stay(cursor, cursor.plusDays(13)));
            cursor = cursor.plusMonths(1);
        }
        TravelHistory h = TravelHistory.of(stays);
        long t0 = System.nanoTime();
        int sum = 0;
        for (int i = 0; i < 5_000; i++) {
            sum += SCHENGEN.control(h, cursor.minusDays(i % 300)).daysUsed();
            sum += SCHENGEN.plan(h, cursor.plusDays(i % 50)).daysUsed();
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(sum > 0);
        assertTrue(ms < 20_000, "10,000 calls over 3,650 days took " + ms + " ms");
    }
}
