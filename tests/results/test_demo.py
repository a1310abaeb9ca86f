import pytest

from liveblog import services as liveblog_services
from results.demo import load_results_demo
from results.models import PostResultCard

pytestmark = pytest.mark.django_db


def test_demo_imports_2017_and_attaches_the_mk_south_card_once(editor, blog):
    post = liveblog_services.create_post(
        blog=blog, by=editor, headline="Milton Keynes South: Conservative hold"
    )

    first = load_results_demo(blog=blog, by=editor)
    second = load_results_demo(blog=blog, by=editor)

    assert (first.created, second.unchanged) == (650, 650)
    card = PostResultCard.objects.get(post=post)
    assert card.result.constituency.name == "Milton Keynes South"
    assert PostResultCard.objects.count() == 1
