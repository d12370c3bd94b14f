package org.itaestudio.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class LearningRateScheduleTest {

    @Test
    void warmsUpLinearlyThenDecaysAlongAHalfCosine() {
        LearningRateSchedule s = new LearningRateSchedule(1e-3, 1e-5, 4, 12);
        assertEquals(0.0, s.at(0));
        assertEquals(5e-4, s.at(2), 1e-15);
        assertEquals(1e-3, s.at(4), 1e-15, "the peak when warm-up ends");
        assertEquals(1e-5 + (1e-3 - 1e-5) * 0.5, s.at(8), 1e-15, "half way down the cosine");
        assertEquals(1e-5 + (1e-3 - 1e-5) * 0.5 * (1 + Math.cos(Math.PI * 7 / 8)), s.at(11), 1e-15);
        assertEquals(1e-5, s.at(12), 1e-15, "the floor one step past the end");
    }

    @Test
    void withoutWarmUpStartsAtThePeak() {
        assertEquals(0.1, new LearningRateSchedule(0.1, 0, 0, 10).at(0));
    }

    @Test
    void refusesASchedulePastItsLength() {
        assertThrows(IllegalArgumentException.class, () -> new LearningRateSchedule(1e-3, 0, 5, 5));
        assertThrows(IllegalArgumentException.class, () -> new LearningRateSchedule(1e-3, 1e-2, 0, 5));
    }
}
