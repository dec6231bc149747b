import java.io.*;
import java.util.*;

public class Main {
    static final long INF = Long.MAX_VALUE / 4;
    static int n, m;
    // Adjacency in arrays (compressed rows): edges of u are adjTo/adjCost[start[u] .. start[u + 1]).
    static int[] start, adjTo;
    static long[] adjCost;

    static long[] dijkstra(int src) {
        long[] dist = new long[n + 1];
        Arrays.fill(dist, INF);
        PriorityQueue<long[]> pq = new PriorityQueue<>((x, y) -> Long.compare(x[0], y[0]));
        dist[src] = 0;
        pq.add(new long[] {0, src});
        while (!pq.isEmpty()) {
            long[] top = pq.poll();
            long d = top[0];
            int u = (int) top[1];
            if (d > dist[u]) continue;
            for (int e = start[u]; e < start[u + 1]; e++) {
                int v = adjTo[e];
                if (d + adjCost[e] < dist[v]) {
                    dist[v] = d + adjCost[e];
                    pq.add(new long[] {dist[v], v});
                }
            }
        }
        return dist;
    }

    public static void main(String[] args) throws IOException {
        FastReader in = new FastReader(System.in);
        n = in.nextInt();
        m = in.nextInt();
        int[] eu = new int[m], ev = new int[m];
        long[] ec = new long[m];
        start = new int[n + 2];
        for (int i = 0; i < m; i++) {
            eu[i] = in.nextInt();
            ev[i] = in.nextInt();
            ec[i] = in.nextLong();
            start[eu[i] + 1]++;
            start[ev[i] + 1]++;
        }
        for (int u = 1; u <= n + 1; u++) start[u] += start[u - 1];
        int[] fill = Arrays.copyOf(start, n + 1);
        adjTo = new int[2 * m];
        adjCost = new long[2 * m];
        for (int i = 0; i < m; i++) {
            adjTo[fill[eu[i]]] = ev[i];
            adjCost[fill[eu[i]]++] = ec[i];
            adjTo[fill[ev[i]]] = eu[i];
            adjCost[fill[ev[i]]++] = ec[i];
        }
        long[] ds = dijkstra(1), dt = dijkstra(n);
        // The voucher goes on one road (u, v), crossed in either direction: cheapest to u,
        // half the toll, cheapest from v on to n.
        long best = ds[n];
        for (int i = 0; i < m; i++) {
            long h = ec[i] / 2;
            if (ds[eu[i]] < INF && dt[ev[i]] < INF) best = Math.min(best, ds[eu[i]] + h + dt[ev[i]]);
            if (ds[ev[i]] < INF && dt[eu[i]] < INF) best = Math.min(best, ds[ev[i]] + h + dt[eu[i]]);
        }
        PrintWriter out = new PrintWriter(new BufferedWriter(new OutputStreamWriter(System.out)));
        out.println(best >= INF ? -1 : best);
        out.flush();
    }

    /** Reads signed decimal numbers straight from the byte stream, skipping whitespace. */
    private static final class FastReader {
        private final DataInputStream in;
        private final byte[] buf = new byte[1 << 16];
        private int len = 0;
        private int ptr = 0;

        FastReader(InputStream stream) {
            in = new DataInputStream(stream);
        }

        private int read() throws IOException {
            if (ptr == len) {
                len = in.read(buf, 0, buf.length);
                ptr = 0;
                if (len <= 0) {
                    len = 0;
                    return -1;
                }
            }
            return buf[ptr++];
        }

        long nextLong() throws IOException {
            int c = read();
            while (c != -1 && c != '-' && (c < '0' || c > '9')) c = read();
            if (c == -1) throw new EOFException();
            boolean negative = c == '-';
            if (negative) c = read();
            long x = 0;
            while (c >= '0' && c <= '9') {
                x = x * 10 + (c - '0');
                c = read();
            }
            return negative ? -x : x;
        }

        int nextInt() throws IOException {
            return (int) nextLong();
        }
    }
}
