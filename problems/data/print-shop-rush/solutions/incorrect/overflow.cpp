#include <bits/stdc++.h>
using namespace std;
typedef long long ll;

int main() {
    int n;
    ll m;
    scanf("%d %lld", &n, &m);
    vector<ll> w(n), t(n);
    for (int i = 0; i < n; i++) scanf("%lld %lld", &w[i], &t[i]);
    ll lo = 0, hi = 2000000000000000000LL;
    while (lo < hi) {
        ll mid = lo + (hi - lo) / 2;
        ll total = 0;
        for (int i = 0; i < n; i++)
            if (mid > w[i]) total += (mid - w[i]) / t[i];
        if (total >= m) hi = mid;
        else lo = mid + 1;
    }
    printf("%lld\n", lo);
    return 0;
}
