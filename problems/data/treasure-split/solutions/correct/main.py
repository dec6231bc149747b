import sys


def main():
    data = sys.stdin.buffer.read().split()
    n = int(data[0])
    vals = list(map(int, data[1:1 + n]))
    total = sum(vals)
    half = total // 2
    mask = (1 << (half + 1)) - 1
    bits = 1  # bit s is set when some subset has sum s
    for v in vals:
        bits = (bits | (bits << v)) & mask
    best = bits.bit_length() - 1
    print(total - 2 * best)


main()
