import sys

MOD = 10**9 + 7


def main():
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    a = sorted(map(int, data[1:1 + n]))
    s = 0
    ans = 0
    for x in a:
        ans = (ans + x * s) % MOD
        s = (2 * s + x) % MOD
    print(ans)


main()
