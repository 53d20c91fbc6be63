"""English dates with the month written out: "February 25, 2022", as "March 30, 2022".

Django's English DATE_FORMAT ("N j, Y") follows the Associated Press and abbreviates
some months but not others ("Feb. 25, 2022" next to "March 30, 2022" in one list).
"""

from django.conf.locale.en.formats import *  # noqa: F403  (every other format unchanged)

DATE_FORMAT = "F j, Y"
DATETIME_FORMAT = "F j, Y, P"
