package io.borderflow.replay.scenario;

import java.util.Map;

/**
 * One kind of traveller within a segment and what such travellers do. Shares are probabilities
 * in [0, 1] drawn independently per traveller.
 *
 * @param share                 weight of this profile among the segment's arrivals
 * @param stay                  planned stay length
 * @param exitCheckpoints       where they leave (default: the segment's checkpoint mix), e.g. transit by air
 * @param iinShare              who apply for an IIN
 * @param hostNotificationShare who get a host notification within 3 business days
 * @param residencePermitShare  who are granted a temporary residence permit (then stay on it)
 * @param permanentShare        who later get permanent residence
 * @param visaRunShare          who, planning to stay past 90 days, leave and re-enter near day 90
 *                              while the rules allow it (EAEU before the cap)
 * @param overstayShare         who stay past their limit without a permit
 */
public record Profile(String name, double share, StayLength stay, Map<String, Double> exitCheckpoints,
                      double iinShare, double hostNotificationShare, double residencePermitShare,
                      double permanentShare, double visaRunShare, double overstayShare) {
    public Profile {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("profile: 'name' is required");
        }
        if (stay == null) {
            throw new IllegalArgumentException("profile " + name + ": 'stay' is required");
        }
        for (double s : new double[] {iinShare, hostNotificationShare, residencePermitShare, permanentShare,
                visaRunShare, overstayShare}) {
            if (s < 0 || s > 1) {
                throw new IllegalArgumentException("profile " + name + ": shares must be between 0 and 1");
            }
        }
        if (share <= 0) {
            throw new IllegalArgumentException("profile " + name + ": 'share' must be > 0");
        }
        exitCheckpoints = exitCheckpoints == null ? Map.of() : Map.copyOf(exitCheckpoints);
    }
}
