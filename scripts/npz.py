# numpy.savez's layout for the fixture scripts (make-*-fixtures.py), written
# with a fixed zip timestamp so that a file written again has the same bytes.
import io
import zipfile

import numpy as np


def save_npz(path, arrays):
    """NAME.npy members, stored (not deflated), dated 1980-01-01."""
    with zipfile.ZipFile(path, 'w', zipfile.ZIP_STORED) as z:
        for name, array in arrays.items():
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.asarray(array), allow_pickle=False)
            z.writestr(zipfile.ZipInfo(f'{name}.npy', date_time=(1980, 1, 1, 0, 0, 0)), buffer.getvalue())
