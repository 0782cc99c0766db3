"""帮办代办 / 导办 (service guidance): bookings of the centre's guidance at the window, online or on site, the
帮办员 roster that gives each working day its places, assignment, records, ratings and statistics."""
