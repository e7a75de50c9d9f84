# The .npy files test/io/npy.test.ts reads, written by NumPy itself (2.x):
# `python3 make_fixtures.py` in this folder makes them again. The values are
# f(i) = (7i mod 23) − 11 over the C-order element index i, times a scale,
# so the test recomputes them without NumPy.
import numpy as np


def vals(shape, dtype, scale=1.0):
    n = int(np.prod(shape)) if len(shape) else 1
    v = (np.arange(n) * 7 % 23 - 11).astype(np.float64) * scale
    return v.reshape(shape).astype(dtype)


np.save('f4_2x3x5.npy', vals((2, 3, 5), '<f4', 0.25))
np.save('f2_7.npy', vals((7,), '<f2', 0.5))
np.save('i4_3x4.npy', vals((3, 4), '<i4'))
np.save('i1_4x3.npy', vals((4, 3), 'i1'))
np.save('f8_3x2.npy', vals((3, 2), '<f8', 0.1))
np.save('i8_5.npy', vals((5,), '<i8'))
np.save('u1_6.npy', (np.arange(6) * 50).astype('u1'))
np.save('i2_2x2.npy', vals((2, 2), '<i2', 1000))
np.save('b1_2x3.npy', vals((2, 3), '<f4') > 0)
np.save('f4_big_endian_3x4.npy', vals((3, 4), '>f4', 0.25))
np.save('f4_fortran_3x4x2.npy', np.asfortranarray(vals((3, 4, 2), '<f4', 0.25)))
np.save('f4_scalar.npy', np.float32(2.5))
np.save('f4_empty_0x3.npy', np.zeros((0, 3), '<f4'))
with open('f4_v2_2x3.npy', 'wb') as f:
    np.lib.format.write_array(f, vals((2, 3), '<f4', 0.25), version=(2, 0))
np.save('i8_too_big.npy', np.array([1, 2**40], '<i8'))
np.save('c8_2.npy', np.array([1 + 2j, 3], '<c8'))
np.save('structured.npy', np.zeros(2, dtype=[('a', '<f4'), ('b', '<i4')]))
np.savez('arrays.npz', weights=vals((3, 4), '<f4', 0.25), labels=vals((5,), '<i8'))
np.savez_compressed('arrays_compressed.npz', weights=vals((3, 4), '<f4', 0.25), half=vals((2, 2), '<f2', 0.5))
