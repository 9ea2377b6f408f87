"""The web server: JSON API, HTML pages and the live event stream."""
