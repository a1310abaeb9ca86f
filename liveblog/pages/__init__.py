"""The public pages: reader page, feeds, SEO, sitemaps and the caching that serves them."""
