import sys

MOD = 10**9 + 7


def main():
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    a = sorted(map(int, data[1:1 + n]))
    pw = [1] * (n + 1)
    for i in range(1, n + 1):
        pw[i] = pw[i - 1] * 2 % MOD
    ans = 0
    for i in range(n):
        ans += a[i] * a[i]
        for j in range(i + 1, n):
            ans += a[i] * a[j] * pw[j - i - 1]
        ans %= MOD
    print(ans)


main()
