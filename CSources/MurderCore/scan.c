/* scan.c — placeholder until the framing scanner lands. */
#include "murder_core.h"
