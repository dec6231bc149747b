#include <bits/stdc++.h>
using namespace std;
typedef long long ll;
const ll INF = LLONG_MAX / 4;

int n, m;
vector<vector<pair<int, ll>>> adj;

vector<ll> dijkstra(int src) {
    vector<ll> dist(n + 1, INF);
    priority_queue<pair<ll, int>, vector<pair<ll, int>>, greater<pair<ll, int>>> pq;
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
    if (scanf("%d %d", &n, &m) != 2) return 0;
    adj.assign(n + 1, {});
    vector<int> U(m), V(m);
    vector<ll> C(m);
    for (int i = 0; i < m; i++) {
        scanf("%d %d %lld", &U[i], &V[i], &C[i]);
        adj[U[i]].push_back({V[i], C[i]});
        adj[V[i]].push_back({U[i], C[i]});
    }
    vector<ll> ds = dijkstra(1), dt = dijkstra(n);
    ll best = ds[n];
    for (int i = 0; i < m; i++) {
        ll h = C[i] / 2;
        if (ds[U[i]] < INF && dt[V[i]] < INF) best = min(best, ds[U[i]] + h + dt[V[i]]);
        if (ds[V[i]] < INF && dt[U[i]] < INF) best = min(best, ds[V[i]] + h + dt[U[i]]);
    }
    printf("%lld\n", best >= INF ? -1LL : best);
    return 0;
}
