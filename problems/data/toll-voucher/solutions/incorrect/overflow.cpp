#include <bits/stdc++.h>
using namespace std;
const int INF = INT_MAX;

int n, m;
vector<vector<pair<int, int>>> adj;

vector<int> dijkstra(int src) {
    vector<int> dist(n + 1, INF);
    priority_queue<pair<int, int>, vector<pair<int, int>>, greater<pair<int, int>>> pq;
    dist[src] = 0;
    pq.push({0, src});
    while (!pq.empty()) {
        auto [d, u] = pq.top();
        pq.pop();
        if (d > dist[u]) continue;
        for (auto [v, c] : adj[u]) {
            if (d + c < dist[v]) {
                dist[v] = d + c;
                pq.push({dist[v], v});
            }
        }
    }
    return dist;
}

int main() {
    scanf("%d %d", &n, &m);
    adj.assign(n + 1, {});
    vector<int> U(m), V(m), C(m);
    for (int i = 0; i < m; i++) {
        scanf("%d %d %d", &U[i], &V[i], &C[i]);
        adj[U[i]].push_back({V[i], C[i]});
        adj[V[i]].push_back({U[i], C[i]});
    }
    vector<int> ds = dijkstra(1), dt = dijkstra(n);
    long long best = ds[n] == INF ? LLONG_MAX : ds[n];
    for (int i = 0; i < m; i++) {
        int h = C[i] / 2;
        if (ds[U[i]] != INF && dt[V[i]] != INF) best = min(best, (long long)(ds[U[i]] + h + dt[V[i]]));
        if (ds[V[i]] != INF && dt[U[i]] != INF) best = min(best, (long long)(ds[V[i]] + h + dt[U[i]]));
    }
    printf("%lld\n", best == LLONG_MAX ? -1LL : best);
    return 0;
}
