package org.itaestudio.cluster;

/**
 * Minimum-cost assignment on a rectangular cost matrix (Hungarian algorithm with potentials,
 * shortest augmenting paths; O(rows^2 * cols)). Exact integer arithmetic, so no tolerance issues.
 */
public final class Hungarian {
    private Hungarian() {
    }

    /**
     * Assigns every row to a distinct column (or, with more rows than columns, every column to a
     * distinct row) so that the total cost is minimal.
     *
     * @param cost rows x cols matrix, all rows the same length
     * @return for each row the assigned column, or -1 for rows left unassigned (only when rows > cols)
     */
    public static int[] minimize(long[][] cost) {
        int rows = cost.length;
        if (rows == 0) return new int[0];
        int cols = cost[0].length;
        for (long[] r : cost) {
            if (r.length != cols) throw new IllegalArgumentException("hungarian: ragged cost matrix");
        }
        if (cols == 0) {
            int[] none = new int[rows];
            java.util.Arrays.fill(none, -1);
            return none;
        }
        if (rows <= cols) return solve(cost, rows, cols);
        // More rows than columns: solve the transpose, then invert the assignment.
        long[][] t = new long[cols][rows];
        for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) t[j][i] = cost[i][j];
        int[] colToRow = solve(t, cols, rows);
        int[] rowToCol = new int[rows];
        java.util.Arrays.fill(rowToCol, -1);
        for (int j = 0; j < cols; j++) rowToCol[colToRow[j]] = j;
        return rowToCol;
    }

    /** Requires n <= m. 1-based potentials u (rows) and v (columns); p[j] = row matched to column j. */
    private static int[] solve(long[][] a, int n, int m) {
        final long inf = Long.MAX_VALUE / 4;
        long[] u = new long[n + 1];
        long[] v = new long[m + 1];
        int[] p = new int[m + 1];
        int[] way = new int[m + 1];
        long[] minv = new long[m + 1];
        boolean[] used = new boolean[m + 1];
        for (int i = 1; i <= n; i++) {
            p[0] = i;
            int j0 = 0;
            java.util.Arrays.fill(minv, inf);
            java.util.Arrays.fill(used, false);
            do {
                used[j0] = true;
                int i0 = p[j0];
                long delta = inf;
                int j1 = -1;
                for (int j = 1; j <= m; j++) {
                    if (used[j]) continue;
                    long cur = a[i0 - 1][j - 1] - u[i0] - v[j];
                    if (cur < minv[j]) {
                        minv[j] = cur;
                        way[j] = j0;
                    }
                    if (minv[j] < delta) {
                        delta = minv[j];
                        j1 = j;
                    }
                }
                for (int j = 0; j <= m; j++) {
                    if (used[j]) {
                        u[p[j]] += delta;
                        v[j] -= delta;
                    } else {
                        minv[j] -= delta;
                    }
                }
                j0 = j1;
            } while (p[j0] != 0);
            do {
                int j1 = way[j0];
                p[j0] = p[j1];
                j0 = j1;
            } while (j0 != 0);
        }
        int[] rowToCol = new int[n];
        java.util.Arrays.fill(rowToCol, -1);
        for (int j = 1; j <= m; j++) if (p[j] != 0) rowToCol[p[j] - 1] = j - 1;
        return rowToCol;
    }
}
