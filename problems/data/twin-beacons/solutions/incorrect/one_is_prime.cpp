#include <bits/stdc++.h>
using namespace std;

int main() {
    int q;
    scanf("%d", &q);
    vector<int> L(q), R(q);
    int N = 3;
    for (int i = 0; i < q; i++) {
        scanf("%d %d", &L[i], &R[i]);
        N = max(N, R[i]);
    }
    vector<char> prime(N + 3, 1);
    prime[0] = 0;
    for (long long i = 2; i * i <= N + 2; i++)
        if (prime[i])
            for (long long j = i * i; j <= N + 2; j += i) prime[j] = 0;
    vector<int> cnt(N + 1, 0);
    for (int p = 1; p <= N; p++) cnt[p] = cnt[p - 1] + (prime[p] && prime[p + 2] ? 1 : 0);
    for (int i = 0; i < q; i++) {
        int l = L[i], r = R[i];
        printf("%d\n", r - 2 >= l ? cnt[r - 2] - cnt[l - 1] : 0);
    }
    return 0;
}
