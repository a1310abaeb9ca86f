from django.urls import path

from liveblog.api import reads, writes

urlpatterns = [
    path("blogs/", reads.BlogListApi.as_view(), name="blogs"),
    path("blogs/<slug:slug>/", reads.BlogDetailApi.as_view(), name="blog"),
    path("blogs/<slug:slug>/posts/", reads.PostListApi.as_view(), name="posts"),
    path("blogs/<slug:slug>/posts/create/", writes.PostCreateApi.as_view(), name="post-create"),
    path("blogs/<slug:slug>/key-events/", reads.KeyEventListApi.as_view(), name="key-events"),
    path("blogs/<slug:slug>/posts/<int:post_id>/", reads.PostDetailApi.as_view(), name="post"),
    path(
        "blogs/<slug:slug>/posts/<int:post_id>/update/",
        writes.PostUpdateApi.as_view(),
        name="post-update",
    ),
    path(
        "blogs/<slug:slug>/posts/<int:post_id>/delete/",
        writes.PostDeleteApi.as_view(),
        name="post-delete",
    ),
    path(
        "blogs/<slug:slug>/posts/<int:post_id>/publish/",
        writes.PostPublishApi.as_view(),
        name="post-publish",
    ),
    path(
        "blogs/<slug:slug>/posts/<int:post_id>/approve/",
        writes.PostApproveApi.as_view(),
        name="post-approve",
    ),
    path(
        "blogs/<slug:slug>/posts/<int:post_id>/return/",
        writes.PostReturnApi.as_view(),
        name="post-return",
    ),
    path(
        "blogs/<slug:slug>/posts/<int:post_id>/discard/",
        writes.PostDiscardApi.as_view(),
        name="post-discard",
    ),
    path(
        "blogs/<slug:slug>/posts/<int:post_id>/images/",
        writes.PostImageCreateApi.as_view(),
        name="post-images",
    ),
]
