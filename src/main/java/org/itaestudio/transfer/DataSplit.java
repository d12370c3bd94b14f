package org.itaestudio.transfer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A seeded stratified train/validation split: in each class, round(fraction x size) images, at least one, go to
 * validation and at least one stays for training, chosen by a shuffle seeded by (seed, class). Both lists keep the
 * folder's order.
 *
 * @param train indices of training images, ascending
 * @param val   indices of validation images, ascending
 */
public record DataSplit(int[] train, int[] val) {

    /**
     * @throws TransferDataException when a class has fewer than two images (it cannot be on both sides)
     */
    public static DataSplit stratified(LabelledFolder data, double fraction, long seed) throws TransferDataException {
        if (!(fraction > 0 && fraction < 1)) {
            throw new IllegalArgumentException("validation fraction must be in (0, 1), got " + fraction);
        }
        List<Integer> train = new ArrayList<>();
        List<Integer> val = new ArrayList<>();
        for (int c = 0; c < data.classes().size(); c++) {
            List<Integer> members = new ArrayList<>();
            for (int i = 0; i < data.count(); i++) {
                if (data.labels()[i] == c) {
                    members.add(i);
                }
            }
            if (members.isEmpty()) {
                continue;
            }
            if (members.size() < 2) {
                throw new TransferDataException("class '" + data.classes().get(c) + "' has " + members.size()
                        + " image; a train/validation split needs at least 2 per class (or give --val DIR)");
            }
            SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + c);
            for (int i = members.size() - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                Integer t = members.get(i);
                members.set(i, members.get(j));
                members.set(j, t);
            }
            int nVal = (int) Math.max(1, Math.min(members.size() - 1, Math.round(fraction * members.size())));
            val.addAll(members.subList(0, nVal));
            train.addAll(members.subList(nVal, members.size()));
        }
        return new DataSplit(sorted(train), sorted(val));
    }

    private static int[] sorted(List<Integer> list) {
        int[] out = list.stream().mapToInt(Integer::intValue).toArray();
        Arrays.sort(out);
        return out;
    }
}
