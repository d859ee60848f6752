package io.borderflow.replay.scenario;

import java.util.SplittableRandom;

/**
 * Planned length of a stay in days after the entry day (0 = leaves the same day).
 * {@code lognormal} takes the median and the log-space sigma; {@code uniform} takes min and max.
 */
public record StayLength(String dist, Double median, Double sigma, Integer min, Integer max) {
    public StayLength {
        if (dist == null) {
            throw new IllegalArgumentException("stay: 'dist' is required (lognormal, uniform or fixed)");
        }
        switch (dist) {
            case "lognormal" -> {
                require(median != null && median > 0, "stay lognormal: 'median' must be > 0");
                require(sigma != null && sigma >= 0, "stay lognormal: 'sigma' must be >= 0");
            }
            case "uniform" -> require(min != null && max != null && min >= 0 && max >= min,
                    "stay uniform: needs 0 <= min <= max");
            case "fixed" -> require(min != null && min >= 0, "stay fixed: 'min' is the number of days, >= 0");
            default -> throw new IllegalArgumentException("stay: unknown dist '" + dist + "' (lognormal, uniform or fixed)");
        }
        require(min == null || max == null || min <= max, "stay: min must be <= max");
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    public int draw(SplittableRandom rnd) {
        int days = switch (dist) {
            case "lognormal" -> (int) Math.round(median * Math.exp(sigma * gaussian(rnd)));
            case "uniform" -> min + rnd.nextInt(max - min + 1);
            default -> min;
        };
        if (min != null) {
            days = Math.max(days, min);
        }
        if (max != null) {
            days = Math.min(days, max);
        }
        return Math.max(days, 0);
    }

    static double gaussian(SplittableRandom rnd) {
        // Box-Muller; SplittableRandom has no nextGaussian on Java 17.
        double u1 = 1.0 - rnd.nextDouble();
        double u2 = rnd.nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }
}
