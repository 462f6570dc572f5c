// Declarations only (see include/CFuzzerDriver.h); SwiftPM needs a source file for a C target.
#include "CFuzzerDriver.h"
