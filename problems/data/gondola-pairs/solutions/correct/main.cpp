#include <bits/stdc++.h>
using namespace std;

int main() {
    int n;
    long long c;
    if (scanf("%d %lld", &n, &c) != 2) return 0;
    vector<long long> w(n);
    for (auto& x : w) scanf("%lld", &x);
    sort(w.begin(), w.end());
    int i = 0, j = n - 1, ans = 0;
    while (i <= j) {
        if (i < j && w[i] + w[j] <= c) i++;
        j--;
        ans++;
    }
    printf("%d\n", ans);
    return 0;
}
