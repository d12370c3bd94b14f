package org.itaestudio.spark;

import java.io.Serializable;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * The content hashes an earlier run already embedded with the same settings, shipped to every task so that a rerun
 * on a grown folder embeds only new content. Kept as the first 128 bits of each SHA-256 in two sorted long arrays
 * (16 bytes per image: 160 MB for ten million, where a set of strings would take over 1 GB); a false match needs
 * a 128-bit collision.
 */
final class KnownHashes implements Serializable {
    private static final long serialVersionUID = 1L;

    static final KnownHashes NONE = new KnownHashes(List.of());

    private final long[] high;
    private final long[] low;

    KnownHashes(List<String> sha256Hex) {
        long[][] pairs = new long[sha256Hex.size()][];
        for (int i = 0; i < pairs.length; i++) {
            pairs[i] = prefix(sha256Hex.get(i));
        }
        Arrays.sort(pairs, (a, b) -> a[0] != b[0] ? Long.compareUnsigned(a[0], b[0]) : Long.compareUnsigned(a[1], b[1]));
        high = new long[pairs.length];
        low = new long[pairs.length];
        for (int i = 0; i < pairs.length; i++) {
            high[i] = pairs[i][0];
            low[i] = pairs[i][1];
        }
    }

    boolean contains(String sha256Hex) {
        long[] key = prefix(sha256Hex);
        int lo = 0;
        int hi = high.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = high[mid] != key[0] ? Long.compareUnsigned(high[mid], key[0]) : Long.compareUnsigned(low[mid], key[1]);
            if (c == 0) {
                return true;
            }
            if (c < 0) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return false;
    }

    int size() {
        return high.length;
    }

    private static long[] prefix(String hex) {
        if (hex.length() < 32) {
            throw new IllegalArgumentException("not a SHA-256: " + hex);
        }
        return new long[] {HexFormat.fromHexDigitsToLong(hex, 0, 16), HexFormat.fromHexDigitsToLong(hex, 16, 32)};
    }
}
