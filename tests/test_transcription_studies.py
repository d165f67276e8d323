"""Every study in config/studies/ against its paper's text, whatever the study: the
studies come from the config, so a new study gets these tests without any edit here."""
import pytest

import studychecks
from conftest import CONFIG, ROOT, STUDIES


@pytest.mark.parametrize("check", studychecks.ALL_CHECKS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("study", STUDIES)
def test_study_transcription(study, check):
    check(ROOT, CONFIG, study)
