#include <bits/stdc++.h>
using namespace std;
typedef long long ll;

int main() {
    int n;
    ll m;
    if (scanf("%d %lld", &n, &m) != 2) return 0;
    vector<ll> w(n), t(n);
    ll hi = LLONG_MAX;
    for (int i = 0; i < n; i++) {
        scanf("%lld %lld", &w[i], &t[i]);
        hi = min(hi, w[i] + m * t[i]);
    }
    ll lo = 0;
    while (lo < hi) {
        ll mid = lo + (hi - lo) / 2;
        ll total = 0;
        for (int i = 0; i < n && total < m; i++)
            if (mid > w[i]) total += (mid - w[i]) / t[i];
        if (total >= m) hi = mid;
        else lo = mid + 1;
    }
    printf("%lld\n", lo);
    return 0;
}
