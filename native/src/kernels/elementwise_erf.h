// erfc to double precision (Cody's rational approximations), a line-for-line port of
// src/backend/js/erf.ts so the exact GELU matches the js kernel.
#pragma once

namespace convkit {

double Erfc(double x);

}  // namespace convkit
