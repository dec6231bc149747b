#include <bits/stdc++.h>
using namespace std;

int n, m, W;
vector<char> kind;  // 0 free, 1 rock, 2 outside

void bfs(int src, vector<int>& dist, vector<int>& rock) {
    dist.assign(kind.size(), -1);
    rock.assign(kind.size(), -1);
    vector<int> q;
    q.reserve(kind.size());
    dist[src] = 0;
    q.push_back(src);
    for (size_t h = 0; h < q.size(); h++) {
        int u = q[h];
        int du = dist[u] + 1;
        int nb[4] = {u - 1, u + 1, u - W, u + W};
        for (int v : nb) {
            if (kind[v] == 0) {
                if (dist[v] < 0) { dist[v] = du; q.push_back(v); }
            } else if (kind[v] == 1 && rock[v] < 0) {
                rock[v] = du;
            }
        }
    }
}

int main() {
    if (scanf("%d %d", &n, &m) != 2) return 0;
    W = m + 2;
    kind.assign((size_t)(n + 2) * W, 2);
    int s = -1, e = -1;
    static char buf[1024];
    for (int i = 0; i < n; i++) {
        scanf("%s", buf);
        for (int j = 0; j < m; j++) {
            int id = (i + 1) * W + j + 1;
            char c = buf[j];
            kind[id] = (c == '#') ? 1 : 0;
            if (c == 'S') s = id;
            if (c == 'E') e = id;
        }
    }
    vector<int> ds, rs, de, re;
    bfs(s, ds, rs);
    bfs(e, de, re);
    long long best = ds[e] >= 0 ? ds[e] : LLONG_MAX;
    for (size_t v = 0; v < kind.size(); v++)
        if (rs[v] >= 0 && re[v] >= 0) best = min(best, (long long)rs[v] + re[v]);
    printf("%lld\n", best == LLONG_MAX ? -1LL : best);
    return 0;
}
