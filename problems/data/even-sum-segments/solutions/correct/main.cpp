#include <bits/stdc++.h>
using namespace std;

int main() {
    int n;
    if (scanf("%d", &n) != 1) return 0;
    long long cnt[2] = {1, 0};
    int p = 0;
    for (int i = 0; i < n; i++) {
        long long a;
        scanf("%lld", &a);
        p ^= (int)(a & 1);
        cnt[p]++;
    }
    printf("%lld\n", cnt[0] * (cnt[0] - 1) / 2 + cnt[1] * (cnt[1] - 1) / 2);
    return 0;
}
