// Debian's libzxcvbn-dev: the zxcvbn password-strength estimator, with its dictionaries built in.
#include <zxcvbn.h>
