"""People's rights over their data: see it (/mydata), erase it (/delete), and the purge of
everything past its delete-after date."""
