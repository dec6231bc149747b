#include <bits/stdc++.h>
using namespace std;

int main() {
    int n;
    scanf("%d", &n);
    int cnt[2] = {1, 0};
    int p = 0;
    for (int i = 0; i < n; i++) {
        long long a;
        scanf("%lld", &a);
        p ^= (int)(a & 1);
        cnt[p]++;
    }
    int ans = cnt[0] * (cnt[0] - 1) / 2 + cnt[1] * (cnt[1] - 1) / 2;
    printf("%d\n", ans);
    return 0;
}
