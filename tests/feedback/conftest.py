from tests.dossiers.conftest import allowance, citizen, district, network  # noqa: F401 (fixtures)
