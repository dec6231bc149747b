import sys
from collections import Counter


def main():
    data = sys.stdin.buffer.read().split()
    n, q = int(data[0]), int(data[1])
    col = data[2:2 + n]
    out = []
    for i in range(q):
        l = int(data[2 + n + 2 * i])
        r = int(data[3 + n + 2 * i])
        cnt = Counter(col[l - 1:r])
        out.append(sum(1 for v in cnt.values() if v == 1))
    print("\n".join(map(str, out)))


main()
