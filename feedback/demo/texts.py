"""What the demo's citizens write and what the units answer: short, varied, about made-up matters, with
no real person's data. Each entry is (the sender's text, the question as the unit restates it for
publication, the answer); ``{unit}``, ``{procedure}`` and ``{code}`` are filled in. What is said about
a dossier fits what had happened to it by then (``DOSSIER_TEXTS``, by situation)."""

from ..constants import Subject

DOSSIER_TEXTS = {
    # Past its due time and no result yet.
    "overdue": (
        "Hồ sơ {code} của tôi đã quá ngày hẹn trả kết quả mà tôi chưa nhận được kết quả. "
        "Đề nghị cho biết hồ sơ đang ở bước nào và khi nào có kết quả.",
        "Công dân hỏi vì sao hồ sơ đã quá ngày hẹn mà chưa có kết quả và khi nào được trả.",
        "Hồ sơ của ông/bà phải xác minh thêm thông tin nên chậm so với ngày hẹn; đơn vị đã gửi phiếu xin lỗi "
        "và hẹn lại ngày trả. Đơn vị sẽ nhắn tin ngay khi có kết quả.",
    ),
    # The supplement came back in the last days.
    "supplement_back": (
        "Tôi đã nộp bổ sung giấy tờ cho hồ sơ {code} nhưng muốn biết cán bộ đã nhận đủ chưa, vì chưa thấy "
        "ai liên hệ. Đề nghị kiểm tra giúp.",
        "Công dân đã nộp bổ sung và hỏi đơn vị đã nhận đủ giấy tờ hay chưa.",
        "Bộ phận Một cửa đã kiểm tra: giấy tờ bổ sung đã được tiếp nhận đủ, hồ sơ đã chuyển sang bước thẩm "
        "định và được tính lại thời hạn từ ngày nộp bổ sung.",
    ),
    # Asked in the last days for a proof of residence.
    "supplement_asked": (
        "Hồ sơ {code} bị yêu cầu bổ sung giấy tờ chứng minh nơi cư trú, trong khi thông tin cư trú của tôi đã "
        "có trên ứng dụng VNeID. Đề nghị xem lại yêu cầu này.",
        "Công dân cho rằng không cần nộp giấy tờ chứng minh nơi cư trú vì thông tin đã có trong Cơ sở dữ liệu "
        "quốc gia về dân cư.",
        "Đơn vị ghi nhận phản ánh. Cán bộ khai thác thông tin cư trú từ Cơ sở dữ liệu quốc gia về dân cư khi "
        "có thể; trường hợp của ông/bà cần giấy tờ vì thông tin trên cơ sở dữ liệu chưa được cập nhật.",
    ),
    # The result was handed over in the last month.
    "result_wrong": (
        "Khi nhận kết quả hồ sơ {code}, tôi thấy tên đệm bị ghi sai một chữ. Đề nghị cơ quan đính chính giúp.",
        "Kết quả giải quyết hồ sơ có sai sót về họ tên; công dân đề nghị đính chính.",
        "Đơn vị xin lỗi về sai sót. Đề nghị ông/bà mang bản kết quả đến Bộ phận Một cửa để được đính chính "
        "ngay trong ngày, không mất phí.",
    ),
    # Received, not returned yet.
    "lookup": (
        "Tôi đã nộp hồ sơ {code} nhưng không biết xem tình trạng giải quyết hồ sơ ở đâu.",
        "Công dân hỏi cách theo dõi tình trạng hồ sơ đã nộp.",
        "Ông/bà xem tình trạng hồ sơ trên trang tra cứu của cổng bằng mã hồ sơ và 4 số cuối số điện thoại "
        "(hoặc số định danh cá nhân); khi đăng nhập, hồ sơ có trong mục hồ sơ của tôi.",
    ),
    # The result is ready, not collected yet.
    "by_post": (
        "Hồ sơ {code} đã có kết quả nhưng tôi đang đi làm xa, muốn nhận qua bưu điện. Đề nghị hướng dẫn.",
        "Công dân hỏi cách nhận kết quả qua dịch vụ bưu chính công ích.",
        "Ông/bà đăng ký nhận kết quả qua bưu chính công ích tại Bộ phận Một cửa hoặc qua số điện thoại của "
        "bộ phận; cước phí theo bảng giá của bưu điện, người nhận trả khi nhận.",
    ),
    # Sent online, received in the last weeks.
    "paper_asked": (
        "Tôi nộp hồ sơ {code} trực tuyến nhưng cán bộ gọi điện yêu cầu mang bản giấy đến nộp lại. "
        "Xin hỏi việc này có bắt buộc không?",
        "Công dân hỏi hồ sơ đã nộp trực tuyến có phải nộp lại bản giấy hay không.",
        "Hồ sơ nộp trực tuyến đầy đủ không phải nộp lại bản giấy; ông/bà chỉ xuất trình bản chính khi nhận "
        "kết quả để đối chiếu. Đơn vị đã nhắc cán bộ tiếp nhận thực hiện đúng quy định.",
    ),
    # Returned in the last weeks.
    "copy": (
        "Tôi đã nhận kết quả hồ sơ {code}, nay cần thêm một bản sao để nộp cho cơ quan khác thì làm thế nào?",
        "Công dân hỏi cách xin thêm bản sao kết quả đã nhận.",
        "Ông/bà đến Bộ phận Một cửa nơi đã nộp hồ sơ, mang theo giấy tờ tùy thân, để được hướng dẫn cấp bản sao "
        "theo đúng loại giấy tờ; nếu kết quả là bản điện tử, ông/bà tải lại tại trang hồ sơ trên cổng.",
    ),
}

TEXTS = {
    Subject.PROCEDURE: [
        (
            "Thành phần hồ sơ của thủ tục «{procedure}» niêm yết tại {unit} khác với thông tin trên cổng dịch vụ "
            "công. Đề nghị thống nhất để người dân không phải đi lại nhiều lần.",
            "Thành phần hồ sơ niêm yết tại trụ sở khác với thông tin công bố trên cổng.",
            "Đơn vị đã rà soát và thay bản niêm yết cũ bằng bản theo quyết định công bố mới nhất; thông tin trên "
            "cổng là thông tin đúng.",
        ),
        (
            "Thủ tục «{procedure}» yêu cầu bản sao có chứng thực, trong khi tôi mang theo bản chính. "
            "Đề nghị cho nộp bản chụp kèm bản chính để đối chiếu.",
            "Người dân đề nghị được nộp bản chụp kèm bản chính để đối chiếu thay cho bản sao có chứng thực.",
            "Người nộp được chọn nộp bản sao có chứng thực hoặc bản chụp kèm bản chính để cán bộ đối chiếu. "
            "Đơn vị đã hướng dẫn lại cán bộ tiếp nhận.",
        ),
        (
            "Biểu mẫu tờ khai của thủ tục «{procedure}» trên cổng không tải về được.",
            "Biểu mẫu tờ khai của thủ tục trên cổng không tải về được.",
            "Lỗi đường dẫn tải biểu mẫu đã được khắc phục. Ông/bà cũng có thể khai trực tuyến ngay trong bước "
            "nộp hồ sơ, không cần in tờ khai.",
        ),
        (
            "Thời hạn giải quyết thủ tục «{procedure}» còn dài so với nhu cầu của người dân. "
            "Đề nghị rút ngắn thời gian giải quyết.",
            "Người dân đề nghị rút ngắn thời hạn giải quyết thủ tục.",
            "Đơn vị tiếp thu và đã đề xuất cấp có thẩm quyền cắt giảm thời hạn; hồ sơ đầy đủ hiện được giải quyết "
            "trước hạn khi có thể.",
        ),
        (
            "Tôi muốn nộp hồ sơ thủ tục «{procedure}» trực tuyến nhưng không biết phải chụp những giấy tờ nào. "
            "Đề nghị có hướng dẫn cụ thể.",
            "Người dân cần hướng dẫn chụp và tải lên giấy tờ khi nộp hồ sơ trực tuyến.",
            "Trang thủ tục trên cổng đã ghi rõ từng giấy tờ cần tải lên; ông/bà cũng có thể gọi Bộ phận Một cửa "
            "trong giờ hành chính để được hướng dẫn.",
        ),
        (
            "Mức lệ phí của thủ tục «{procedure}» niêm yết tại {unit} và trên cổng không giống nhau.",
            "Mức lệ phí niêm yết tại trụ sở không khớp với mức công bố trên cổng.",
            "Mức đúng là mức công bố trên cổng theo nghị quyết của Hội đồng nhân dân tỉnh; bản niêm yết cũ đã "
            "được thay.",
        ),
        (
            "Thủ tục «{procedure}» trên cổng chỉ cho nộp một phần trực tuyến. Đề nghị cho nhận kết quả qua mạng "
            "để người dân không phải đến trụ sở.",
            "Kiến nghị cung cấp thủ tục trực tuyến toàn trình, trả kết quả qua mạng.",
            "Đơn vị ghi nhận và đã đề nghị đưa thủ tục vào danh mục cung cấp toàn trình trong đợt rà soát tới.",
        ),
    ],
    Subject.CONDUCT: [
        (
            "Sáng nay tôi đến Bộ phận Một cửa của {unit} nộp hồ sơ nhưng chờ hơn một tiếng mà không có cán bộ "
            "tiếp nhận.",
            "Người dân phải chờ lâu tại Bộ phận Một cửa vì không có cán bộ tiếp nhận.",
            "Đơn vị đã xác minh: hôm đó cán bộ đi tập huấn nhưng chưa bố trí người thay. Đơn vị đã chấn chỉnh, "
            "bảo đảm luôn có cán bộ trực trong giờ làm việc.",
        ),
        (
            "Cán bộ tiếp nhận tại {unit} trả lời thiếu nhã nhặn khi tôi hỏi về hồ sơ của mình.",
            "Người dân phản ánh thái độ thiếu nhã nhặn của cán bộ tiếp nhận.",
            "Đơn vị đã làm việc với cán bộ liên quan, yêu cầu rút kinh nghiệm và thực hiện đúng quy tắc ứng xử. "
            "Cảm ơn ông/bà đã phản ánh.",
        ),
        (
            "Khi làm hồ sơ tại {unit}, tôi bị yêu cầu nộp thêm giấy tờ không có trong danh mục thủ tục đã công bố.",
            "Cán bộ yêu cầu nộp giấy tờ ngoài thành phần hồ sơ đã công bố.",
            "Việc yêu cầu thêm giấy tờ là không đúng quy định. Đơn vị đã nhắc nhở cán bộ và chỉ tiếp nhận theo "
            "đúng thành phần hồ sơ đã công bố.",
        ),
        (
            "Số điện thoại đường dây nóng của {unit} gọi nhiều lần trong giờ hành chính nhưng không ai nghe máy.",
            "Đường dây nóng của đơn vị không có người nghe máy trong giờ hành chính.",
            "Đơn vị đã kiểm tra đường dây và phân công cán bộ trực; khi máy bận, ông/bà có thể gửi phản ánh "
            "trên cổng này.",
        ),
        (
            "Cán bộ {unit} hẹn trả kết quả nhưng đến ngày hẹn lại bảo quay lại hôm sau mà không giải thích lý do.",
            "Đến ngày hẹn người dân chưa được trả kết quả và không được giải thích lý do.",
            "Đơn vị xin lỗi ông/bà. Hồ sơ chậm do chờ ký duyệt; lẽ ra cán bộ phải gửi phiếu xin lỗi và hẹn lại. "
            "Đơn vị đã yêu cầu thực hiện đúng quy định.",
        ),
        (
            "Nơi chờ của Bộ phận Một cửa {unit} thiếu ghế ngồi, người già phải đứng chờ lâu.",
            "Nơi chờ tại Bộ phận Một cửa thiếu ghế ngồi.",
            "Đơn vị tiếp thu, đã bổ sung ghế chờ và bố trí ưu tiên người cao tuổi tại Bộ phận Một cửa.",
        ),
        (
            "Cán bộ {unit} gợi ý tôi nộp thêm tiền để hồ sơ được giải quyết nhanh hơn.",
            "Người dân phản ánh việc cán bộ gợi ý nộp thêm tiền ngoài lệ phí để giải quyết nhanh.",
            "Đơn vị đã xác minh và xử lý cán bộ liên quan theo quy định. Người dân chỉ nộp các khoản phí, lệ phí "
            "đã niêm yết và được cấp biên lai.",
        ),
    ],
    Subject.REGULATION: [
        (
            "Quy định phải xin xác nhận của thôn trước khi làm thủ tục trợ cấp xã hội làm mất thời gian. "
            "Đề nghị bỏ bước này.",
            "Người dân đề nghị bỏ bước xác nhận của thôn trước khi làm thủ tục trợ cấp xã hội.",
            "Đơn vị ghi nhận kiến nghị và đã tổng hợp gửi cơ quan có thẩm quyền xem xét khi sửa đổi quy định.",
        ),
        (
            "Bộ phận Một cửa chỉ làm việc trong giờ hành chính nên người đi làm khó đến nộp hồ sơ. "
            "Đề nghị tiếp nhận thêm vào sáng thứ Bảy.",
            "Kiến nghị Bộ phận Một cửa tiếp nhận hồ sơ vào sáng thứ Bảy.",
            "Đơn vị tiếp thu; trong khi chờ xem xét, người dân có thể nộp hồ sơ trực tuyến bất kỳ lúc nào, hồ sơ "
            "được tiếp nhận vào ngày làm việc tiếp theo.",
        ),
        (
            "Mức hỗ trợ chi phí mai táng hiện nay còn thấp so với thực tế ở địa phương. Đề nghị xem xét nâng mức.",
            "Kiến nghị nâng mức hỗ trợ chi phí mai táng.",
            "Mức hỗ trợ thực hiện theo quy định của Chính phủ; đơn vị đã tổng hợp kiến nghị báo cáo cấp trên.",
        ),
        (
            "Đề nghị chấp nhận giấy khai sinh điện tử thay cho bản sao giấy khi làm các thủ tục khác.",
            "Kiến nghị chấp nhận giấy khai sinh điện tử khi làm thủ tục.",
            "Giấy khai sinh đã số hóa được cán bộ khai thác từ cơ sở dữ liệu hộ tịch điện tử; người dân không "
            "phải nộp bản sao. Đơn vị đã hướng dẫn cán bộ áp dụng.",
        ),
        (
            "Lịch tiếp công dân chỉ dán ở trụ sở {unit}, người dân ở thôn xa không biết. Đề nghị thông báo trên "
            "cổng và loa truyền thanh.",
            "Kiến nghị công khai lịch tiếp công dân trên cổng và hệ thống truyền thanh cơ sở.",
            "Đơn vị tiếp thu; từ tháng này lịch tiếp công dân được đăng trên cổng và phát trên loa truyền thanh "
            "các thôn, khu phố.",
        ),
        (
            "{unit} chỉ tiếp nhận hồ sơ đất đai vào thứ Ba và thứ Năm hằng tuần, người dân phải chờ đến đúng ngày. "
            "Đề nghị tiếp nhận vào tất cả các ngày làm việc.",
            "Kiến nghị tiếp nhận hồ sơ đất đai vào tất cả các ngày làm việc thay vì hai ngày trong tuần.",
            "Đơn vị tiếp thu; Bộ phận Một cửa tiếp nhận hồ sơ đất đai vào tất cả các ngày làm việc kể từ đầu tháng "
            "tới.",
        ),
        (
            "Thông báo dán tại {unit} vẫn yêu cầu nộp bản chụp sổ hộ khẩu khi làm thủ tục, trong khi sổ hộ khẩu đã "
            "hết giá trị sử dụng. Đề nghị bỏ yêu cầu này.",
            "Kiến nghị bỏ yêu cầu nộp bản chụp sổ hộ khẩu vì sổ đã hết giá trị sử dụng.",
            "Đơn vị đã gỡ thông báo cũ. Thông tin cư trú được khai thác từ Cơ sở dữ liệu quốc gia về dân cư, "
            "người dân không phải nộp bản chụp sổ hộ khẩu.",
        ),
        (
            "Quy định chứng thực bản sao phải có mặt người yêu cầu gây khó cho người già yếu. Đề nghị cho người "
            "thân làm thay.",
            "Kiến nghị cho người thân làm thay thủ tục chứng thực bản sao cho người già yếu.",
            "Việc chứng thực bản sao từ bản chính không bắt buộc người yêu cầu có mặt; người thân mang bản chính "
            "đến là được. Đơn vị đã niêm yết lại hướng dẫn.",
        ),
    ],
}

OPENINGS = ["", "Trả lời ông/bà: ", "Cảm ơn ông/bà đã gửi phản ánh. ", "Sau khi kiểm tra, đơn vị trả lời như sau: "]
CLOSINGS = [
    "",
    "",
    " Mọi vướng mắc xin liên hệ Bộ phận Một cửa trong giờ hành chính.",
    " Đơn vị mong tiếp tục nhận được ý kiến của ông/bà.",
]
LATE_OPENING = "Đơn vị xin lỗi vì trả lời chậm so với thời hạn. "

MOVE_NOTES = [
    "Nội dung thuộc thẩm quyền của {unit}: chuyển để xác minh và trả lời công dân.",
    "Việc xảy ra tại {unit}, đề nghị kiểm tra và trả lời trong thời hạn.",
    "Chuyển {unit} xử lý theo thẩm quyền, báo cáo kết quả về huyện.",
]
