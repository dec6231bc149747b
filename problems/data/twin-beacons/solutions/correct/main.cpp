#include <bits/stdc++.h>
using namespace std;

int main() {
    int q;
    if (scanf("%d", &q) != 1) return 0;
    vector<int> L(q), R(q);
    int N = 3;
    for (int i = 0; i < q; i++) {
        scanf("%d %d", &L[i], &R[i]);
        N = max(N, R[i]);
    }
    vector<char> prime(N + 1, 1);
    prime[0] = prime[1] = 0;
    for (long long i = 2; i * i <= N; i++)
        if (prime[i])
            for (long long j = i * i; j <= N; j += i) prime[j] = 0;
    // cnt[x] = number of p <= x with p and p + 2 both prime
    vector<int> cnt(N + 1, 0);
    for (int p = 1; p <= N; p++)
        cnt[p] = cnt[p - 1] + ((p + 2 <= N && prime[p] && prime[p + 2]) ? 1 : 0);
    string out;
    char buf[16];
    for (int i = 0; i < q; i++) {
        int l = L[i], r = R[i];
        int ans = 0;
        if (r - 2 >= l) ans = cnt[r - 2] - cnt[l - 1];
        snprintf(buf, sizeof buf, "%d\n", ans);
        out += buf;
    }
    fputs(out.c_str(), stdout);
    return 0;
}
