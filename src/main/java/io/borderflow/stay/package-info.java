/**
 * Stay-duration rules for Kazakhstan (and Schengen, for comparison): a pure library on {@code java.time}.
 *
 * <p>Entry points: {@link io.borderflow.stay.StayCalculator#control} (standing on a day) and
 * {@link io.borderflow.stay.StayCalculator#plan} (longest stay for a planned entry), over a validated
 * {@link io.borderflow.stay.TravelHistory} of {@link io.borderflow.stay.Stay}s and
 * {@link io.borderflow.stay.PermitPeriod}s, with {@link io.borderflow.stay.StayRules} choosing the
 * {@link io.borderflow.stay.RuleVersion} (in force by date, or forced for a what-if). The counting convention
 * is described on {@link io.borderflow.stay.StayCalculator}, the 2023 transition on
 * {@link io.borderflow.stay.StayRules}. Invalid input is an {@link java.lang.IllegalArgumentException} with
 * a one-line message.
 */
package io.borderflow.stay;
