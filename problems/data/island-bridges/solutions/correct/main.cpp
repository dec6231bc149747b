#include <bits/stdc++.h>
using namespace std;

vector<int> par, sz;

int find(int x) {
    while (par[x] != x) {
        par[x] = par[par[x]];
        x = par[x];
    }
    return x;
}

int main() {
    int n, q;
    if (scanf("%d %d", &n, &q) != 2) return 0;
    par.resize(n + 1);
    sz.assign(n + 1, 1);
    iota(par.begin(), par.end(), 0);
    int groups = n, largest = 1;
    string out;
    out.reserve((size_t)q * 14);
    char buf[32];
    while (q--) {
        int u, v;
        scanf("%d %d", &u, &v);
        u = find(u);
        v = find(v);
        if (u != v) {
            if (sz[u] < sz[v]) swap(u, v);
            par[v] = u;
            sz[u] += sz[v];
            groups--;
            largest = max(largest, sz[u]);
        }
        snprintf(buf, sizeof buf, "%d %d\n", groups, largest);
        out += buf;
    }
    fputs(out.c_str(), stdout);
    return 0;
}
