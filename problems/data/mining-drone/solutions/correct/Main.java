import java.io.*;
import java.util.*;

public class Main {
    static int w;
    static byte[] kind;  // 0 free, 1 rock, 2 outside: a border of outside cells spares bounds checks

    /** BFS over free cells from src: dist[v] for free cells, and rock[v] = one more than the
     *  nearest free neighbour's distance for rock cells (the drill's one step into the rock). */
    static void bfs(int src, int[] dist, int[] rock) {
        Arrays.fill(dist, -1);
        Arrays.fill(rock, -1);
        int[] q = new int[kind.length];
        int tail = 0;
        dist[src] = 0;
        q[tail++] = src;
        int[] step = {-1, 1, -w, w};
        for (int h = 0; h < tail; h++) {
            int u = q[h];
            int du = dist[u] + 1;
            for (int d : step) {
                int v = u + d;
                if (kind[v] == 0) {
                    if (dist[v] < 0) {
                        dist[v] = du;
                        q[tail++] = v;
                    }
                } else if (kind[v] == 1 && rock[v] < 0) {
                    rock[v] = du;
                }
            }
        }
    }

    static BufferedReader br;
    static StringTokenizer st;

    static String next() throws IOException {
        while (st == null || !st.hasMoreTokens()) {
            String line = br.readLine();
            if (line == null) throw new EOFException();
            st = new StringTokenizer(line);
        }
        return st.nextToken();
    }

    public static void main(String[] args) throws IOException {
        br = new BufferedReader(new InputStreamReader(System.in), 1 << 16);
        int n = Integer.parseInt(next());
        int m = Integer.parseInt(next());
        w = m + 2;
        kind = new byte[(n + 2) * w];
        Arrays.fill(kind, (byte) 2);
        int s = -1, e = -1;
        for (int i = 0; i < n; i++) {
            String row = next();
            for (int j = 0; j < m; j++) {
                int id = (i + 1) * w + j + 1;
                char c = row.charAt(j);
                kind[id] = (byte) (c == '#' ? 1 : 0);
                if (c == 'S') s = id;
                if (c == 'E') e = id;
            }
        }
        int size = kind.length;
        int[] ds = new int[size], rs = new int[size], de = new int[size], re = new int[size];
        bfs(s, ds, rs);
        bfs(e, de, re);
        // Either no drilling at all, or drill exactly one rock reached from both ends.
        long best = ds[e] >= 0 ? ds[e] : Long.MAX_VALUE;
        for (int v = 0; v < size; v++)
            if (rs[v] >= 0 && re[v] >= 0) best = Math.min(best, (long) rs[v] + re[v]);
        PrintWriter out = new PrintWriter(new BufferedWriter(new OutputStreamWriter(System.out)));
        out.println(best == Long.MAX_VALUE ? -1 : best);
        out.flush();
    }
}
